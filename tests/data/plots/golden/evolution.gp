# evolution.png -- drawn by ftlab. To redraw after editing: gnuplot evolution.gp
# (in this folder). The data are inline below and also in evolution.dat.
set terminal pngcairo enhanced size 2148,666 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'evolution.png'
set encoding utf8

# digit, unit, count
$counts1 << EOD
0 0 50
1 0 40
2 0 60
3 0 55
4 0 45
5 0 50
6 0 52
7 0 48
8 0 50
9 0 47

0 1 50
1 1 60
2 1 40
3 1 45
4 1 55
5 1 50
6 1 48
7 1 52
8 1 50
9 1 53

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

0 3 0
1 3 0
2 3 0
3 3 0
4 3 0
5 3 0
6 3 0
7 3 0
8 3 0
9 3 0

0 4 0
1 4 0
2 4 0
3 4 0
4 4 0
5 4 0
6 4 0
7 4 0
8 4 0
9 4 0

EOD
# digit, unit, count
$counts2 << EOD
0 0 90
1 0 10
2 0 60
3 0 20
4 0 5
5 0 50
6 0 10
7 0 8
8 0 40
9 0 7

0 1 10
1 1 90
2 1 5
3 1 10
4 1 80
5 1 10
6 1 20
7 1 85
8 1 10
9 1 88

0 2 0
1 2 0
2 2 35
3 2 70
4 2 15
5 2 40
6 2 70
7 2 7
8 2 50
9 2 5

0 3 0
1 3 0
2 3 0
3 3 0
4 3 0
5 3 0
6 3 0
7 3 0
8 3 0
9 3 0

0 4 0
1 4 0
2 4 0
3 4 0
4 4 0
5 4 0
6 4 0
7 4 0
8 4 0
9 4 0

EOD
# digit, unit, count
$counts3 << EOD
0 0 98
1 0 2
2 0 5
3 0 3
4 0 2
5 0 10
6 0 4
7 0 1
8 0 6
9 0 2

0 1 1
1 1 95
2 1 2
3 1 4
4 1 3
5 1 2
6 1 1
7 1 90
8 1 2
9 1 3

0 2 0
1 2 1
2 2 90
3 2 5
4 2 1
5 2 8
6 2 2
7 2 3
8 2 85
9 2 1

0 3 0
1 3 2
2 3 3
3 3 88
4 3 0
5 3 75
6 3 3
7 3 1
8 3 5
9 3 2

0 4 1
1 4 0
2 4 0
3 4 0
4 4 94
5 4 5
6 4 90
7 4 5
8 4 2
9 4 92

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
cbmax = 98  # one colour scale for every panel
set multiplot title 'Classifier, Baseline → Proposed (KL margin): the most active FC1 unit, over training' enhanced

# ---- panel 1 ----
set title 'epoch 0'."\n".'2 of 5 FC1 units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [4.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
set ylabel 'FC1 unit'
set ytics scale 0 font ',8' ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4)
set xlabel 'digit'."\n".'AMI_{max} 0.012 (k = 9)' enhanced
set lmargin at screen 0.0698
set rmargin at screen 0.3282
set tmargin at screen 0.7117
set bmargin at screen 0.2568
unset colorbox
plot $counts1 using 1:2:3 with image pixels notitle, \
     $counts1 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle

# ---- panel 2 ----
set title 'epoch 2'."\n".'3 of 5 FC1 units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [4.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
unset ylabel
unset ytics
set xlabel 'digit'."\n".'AMI_{max} 0.210 (k = 9)' enhanced
set lmargin at screen 0.3450
set rmargin at screen 0.6034
set tmargin at screen 0.7117
set bmargin at screen 0.2568
unset colorbox
plot $counts2 using 1:2:3 with image pixels notitle, \
     $counts2 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle

# ---- panel 3 ----
set title 'epoch 4'."\n".'5 of 5 FC1 units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [4.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
unset ylabel
unset ytics
set xlabel 'digit'."\n".'AMI_{max} 0.480 (k = 9)' enhanced
set lmargin at screen 0.6201
set rmargin at screen 0.8785
set tmargin at screen 0.7117
set bmargin at screen 0.2568
set colorbox user origin screen 0.8925, screen 0.2568 size screen 0.0140, screen 0.4550
set cbtics 0,20 scale 0.5 out nomirror
plot $counts3 using 1:2:3 with image pixels notitle, \
     $counts3 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle
unset multiplot
