# actmean.png -- drawn by ftlab. To redraw after editing: gnuplot actmean.gp
# (in this folder). The data are inline below and also in actmean.dat.
set terminal pngcairo enhanced size 1050,600 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'actmean.png'
set encoding utf8

# digit, unit (top = 0), mean activation over the unit's largest mean (NaN for a dead unit); a blank line ends a unit
$means << EOD
0 0 0.014475544
1 0 0.574069202
2 0 0.0926554917
3 0 0.130900052
4 0 0.70031678
5 0 0.127804915
6 0 1
7 0 0.667555939
8 0 0.00852404129
9 0 0.81576384

0 1 0.809903275
1 1 0.185996881
2 1 0.406790897
3 1 1
4 1 0.169178014
5 1 0.668216221
6 1 0.107093994
7 1 0.180667491
8 1 0.830321701
9 1 0.145407639

0 2 NaN
1 2 NaN
2 2 NaN
3 2 NaN
4 2 NaN
5 2 NaN
6 2 NaN
7 2 NaN
8 2 NaN
9 2 NaN

0 3 0.716900789
1 3 0.831129147
2 3 0.595466924
3 3 0.839825493
4 3 0.899768791
5 3 0.730333383
6 3 1
7 3 0.86108657
8 3 0.584444514
9 3 0.959463147

EOD

# ---- style ----
set border 3 front linewidth 0.6 linecolor rgb '#262626'
set tics nomirror out scale 0.5 textcolor rgb '#262626'
set mxtics default
set grid ytics back linewidth 0.4 linecolor rgb '#e3e3e3' dashtype solid
set key top right noreverse Left samplen 1.6 spacing 1.1 nobox opaque textcolor rgb '#262626'
set title offset 0,-0.4 textcolor rgb '#262626'
set xlabel offset 0,0.4 textcolor rgb '#262626'
set ylabel textcolor rgb '#262626'
set pointsize 0.6

set palette defined (0 '#ffffd9', 1 '#edf8b1', 2 '#c7e9b4', 3 '#7fcdbb', 4 '#41b6c4', 5 '#1d91c0', 6 '#225ea8', 7 '#253494', 8 '#081d58')
set title 'Classifier, Baseline → Proposed (KL margin)'."\n".'mean FC1 activation per digit, each unit over its largest'
cbmax = 1  # a row's largest mean
set xrange [-0.5:9.5]
set yrange [3.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
set ylabel 'FC1 unit'
set ytics scale 0 font ',8' ('0' 0, '1' 1, '2' 2, '3' 3)
set cblabel 'mean / unit''s largest'
set cbtics 0, 0.25, 1
set label 'dead (constant)' at 4.5, 2 center front font ',5.5' textcolor rgb '#555555'

plot $means using 1:2:3 with image pixels notitle, \
     $means using 1:2:(strcol(3) eq 'NaN' ? '' : sprintf('%.2f', $3)):($3 > 0.55 ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle
