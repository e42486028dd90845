# figure2.png -- drawn by ftlab. To redraw after editing: gnuplot figure2.gp
# (in this folder). The data are inline below and also in figure2.dat.
set terminal pngcairo enhanced size 1617,1200 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'figure2.png'
set encoding utf8

# Baseline (classify-baseline-run1): digit, unit, count
$counts1 << EOD
0 0 40
1 0 90
2 0 45
3 0 30
4 0 95
5 0 60
6 0 20
7 0 88
8 0 50
9 0 92

0 1 60
1 1 10
2 1 55
3 1 70
4 1 5
5 1 40
6 1 80
7 1 12
8 1 50
9 1 8

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

0 5 0
1 5 0
2 5 0
3 5 0
4 5 0
5 5 0
6 5 0
7 5 0
8 5 0
9 5 0

EOD
# Proposed (KL margin) (classify-proposed-run1): digit, unit, count
$counts2 << EOD
0 0 95
1 0 0
2 0 0
3 0 0
4 0 0
5 0 5
6 0 0
7 0 0
8 0 0
9 0 0

0 1 0
1 1 100
2 1 10
3 1 0
4 1 0
5 1 0
6 1 0
7 1 0
8 1 0
9 1 0

0 2 5
1 2 0
2 2 90
3 2 15
4 2 10
5 2 75
6 2 0
7 2 0
8 2 90
9 2 0

0 3 0
1 3 0
2 3 0
3 3 85
4 3 0
5 3 20
6 3 0
7 3 0
8 3 10
9 3 0

0 4 0
1 4 0
2 4 0
3 4 0
4 4 90
5 4 0
6 4 0
7 4 5
8 4 0
9 4 10

0 5 0
1 5 0
2 5 0
3 5 0
4 5 0
5 5 0
6 5 100
7 5 95
8 5 0
9 5 90

EOD
# Baseline (autoencode-baseline-run1): digit, unit, count
$counts3 << EOD
0 0 70
1 0 80
2 0 50
3 0 55
4 0 50
5 0 60
6 0 65
7 0 50
8 0 55
9 0 60

0 1 30
1 1 20
2 1 50
3 1 45
4 1 50
5 1 40
6 1 35
7 1 50
8 1 45
9 1 40

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

0 5 0
1 5 0
2 5 0
3 5 0
4 5 0
5 5 0
6 5 0
7 5 0
8 5 0
9 5 0

EOD
# Proposed (KL margin) (autoencode-proposed-run1): digit, unit, count
$counts4 << EOD
0 0 50
1 0 30
2 0 100
3 0 60
4 0 40
5 0 40
6 0 100
7 0 20
8 0 50
9 0 50

0 1 50
1 1 0
2 1 0
3 1 40
4 1 0
5 1 60
6 1 0
7 1 0
8 1 50
9 1 0

0 2 0
1 2 70
2 2 0
3 2 0
4 2 60
5 2 0
6 2 0
7 2 80
8 2 0
9 2 50

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

0 5 0
1 5 0
2 5 0
3 5 0
4 5 0
5 5 0
6 5 0
7 5 0
8 5 0
9 5 0

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
cbmax = 100  # one colour scale for every panel
set multiplot

# ---- panel 1 ----
set title 'Classifier, Baseline'."\n".'2 of 6 FC1 units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [5.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
set ylabel 'FC1 unit'
set ytics scale 0 font ',8' ('4' 0, '1' 1, '0' 2, '2' 3, '3' 4, '5' 5)
set lmargin at screen 0.0928
set rmargin at screen 0.4360
set tmargin at screen 0.8950
set bmargin at screen 0.6050
unset colorbox
plot $counts1 using 1:2:3 with image pixels notitle, \
     $counts1 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle

# ---- panel 2 ----
set title 'Classifier, Proposed (KL margin)'."\n".'6 of 6 FC1 units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [5.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
unset ylabel
set ytics scale 0 font ',8' ('1' 0, '3' 1, '4' 2, '2' 3, '0' 4, '5' 5)
set lmargin at screen 0.4954
set rmargin at screen 0.8386
set tmargin at screen 0.8950
set bmargin at screen 0.6050
unset colorbox
plot $counts2 using 1:2:3 with image pixels notitle, \
     $counts2 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle

# ---- panel 3 ----
set title 'Autoencoder, Baseline'."\n".'2 of 6 code units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [5.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
set ylabel 'code unit'
set ytics scale 0 font ',8' ('1' 0, '0' 1, '2' 2, '3' 3, '4' 4, '5' 5)
set lmargin at screen 0.0928
set rmargin at screen 0.4360
set tmargin at screen 0.3950
set bmargin at screen 0.1050
unset colorbox
plot $counts3 using 1:2:3 with image pixels notitle, \
     $counts3 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle

# ---- panel 4 ----
set title 'Autoencoder, Proposed (KL margin)'."\n".'3 of 6 code units most active' noenhanced
set xrange [-0.5:9.5]
set yrange [5.5:-0.5]
set xtics 0,1,9 scale 0
set border 15 front linewidth 0.6 linecolor rgb '#262626'
unset grid
set xlabel 'digit'
set cbrange [0:cbmax]
set cbtics scale 0.5 out nomirror
set cblabel 'test sequences'
unset ylabel
set ytics scale 0 font ',8' ('2' 0, '0' 1, '1' 2, '3' 3, '4' 4, '5' 5)
set lmargin at screen 0.4954
set rmargin at screen 0.8386
set tmargin at screen 0.3950
set bmargin at screen 0.1050
set colorbox user origin screen 0.8571, screen 0.1050 size screen 0.0186, screen 0.7900
set cbtics 0,10 scale 0.5 out nomirror
plot $counts4 using 1:2:3 with image pixels notitle, \
     $counts4 using 1:2:($3 > 0 ? sprintf('%d', $3) : ''):($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable font ',5.5' notitle
unset multiplot
