# clusters.png -- drawn by ftlab. To redraw after editing: gnuplot clusters.gp
# (in this folder). The data are inline below and also in clusters.dat.
set terminal pngcairo enhanced size 1050,690 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'clusters.png'
set encoding utf8

# digit, row (top = 0), count; a blank line ends a row
$counts << EOD
0 0 90
1 0 3
2 0 0
3 0 0
4 0 1
5 0 0
6 0 0
7 0 0
8 0 0
9 0 0

0 1 1
1 1 2
2 1 50
3 1 60
4 1 70
5 1 1
6 1 2
7 1 3
8 1 4
9 1 5

0 2 9
1 2 95
2 2 50
3 2 40
4 2 29
5 2 99
6 2 98
7 2 97
8 2 96
9 2 95

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
set title 'Classifier, Baseline → Proposed (KL margin)'."\n".'KMeans k = 3 on the FC1 test activations: AMI_{max} 0.250'
cbmax = 99  # the top of the colour scale
set xrange [-0.5:9.5]
set yrange [2.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
set ylabel 'cluster (by majority digit)'
set ytics scale 0 font ',8' ('1' 0, '0' 1, '2' 2)
set cbtics 0,10

plot $counts using 1:2:3 with image pixels notitle, \
     $counts using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',6.0' notitle
