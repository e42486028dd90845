# actmap.png -- drawn by ftlab. To redraw after editing: gnuplot actmap.gp
# (in this folder). The data are inline below and also in actmap.dat.
set terminal pngcairo enhanced size 1050,600 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'actmap.png'
set encoding utf8

# digit, row (top = 0), count; a blank line ends a row
$counts << EOD
0 0 90
1 0 0
2 0 5
3 0 0
4 0 1
5 0 0
6 0 0
7 0 0
8 0 0
9 0 0

0 1 0
1 1 80
2 1 0
3 1 0
4 1 0
5 1 0
6 1 3
7 1 0
8 1 0
9 1 0

0 2 0
1 2 0
2 2 0
3 2 0
4 2 0
5 2 0
6 2 0
7 2 0
8 2 0
9 2 0

0 3 10
1 3 20
2 3 95
3 3 100
4 3 99
5 3 100
6 3 97
7 3 100
8 3 100
9 3 100

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
set title 'Classifier, Baseline → Proposed (KL margin)'."\n".'most active FC1 unit per test sequence: 3 of 4 units'
cbmax = 100  # the top of the colour scale
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
set cbtics 0,20

plot $counts using 1:2:3 with image pixels notitle, \
     $counts using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',6.0' notitle
