# table1.png -- drawn by ftlab. To redraw after editing: gnuplot table1.gp
# (in this folder). The data are inline below and also in table1.dat.
set terminal pngcairo enhanced size 1050,870 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'table1.png'
set encoding utf8

# x (bar centre), k, AMI_max mean, spread, paper
$baseline << EOD
-0.300 9 0.426 0.005 0.446
0.700 10 0.457 0.005 0.467
1.700 11 0.464 0.005 0.464
EOD
# x (bar centre), k, AMI_max mean, spread, paper
$decov << EOD
-0.100 9 NaN NaN 0.285
0.900 10 NaN NaN 0.287
1.900 11 NaN NaN 0.288
EOD
# x (bar centre), k, AMI_max mean, spread, paper
$xcov << EOD
0.100 9 0.487 NaN 0.507
1.100 10 0.515 NaN 0.525
2.100 11 0.529 NaN 0.529
EOD
# x (bar centre), k, AMI_max mean, spread, paper
$proposed << EOD
0.300 9 0.492 0.02 0.512
1.300 10 0.534 0.02 0.544
2.300 11 0.555 0.02 0.555
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

set title 'Binary task (classifier)' noenhanced
set xlabel 'KMeans clusters k'
set ylabel 'AMI_{max} (test set)'
set xrange [-0.55:2.55]
set yrange [0:0.6]
set ytics 0.1
set xtics scale 0 ('9' 0, '10' 1, '11' 2)
set boxwidth 0.176 absolute
set style fill solid 1.0 noborder
set bmargin at screen 0.3448
set key at screen 0.5, screen 0.2069 center top horizontal maxcols 1 reverse Left width -2

plot $baseline using 1:3 with boxes linecolor rgb '#999999' title 'Baseline, 3 runs', \
     $baseline using 1:($3 - $4):(0):(2 * $4) with vectors heads size screen 0.008,90 linewidth 0.8 linecolor rgb '#262626' notitle, \
     $xcov using 1:3 with boxes linecolor rgb '#56B4E9' title 'XCov, 1 run', \
     $xcov using 1:($3 - $4):(0):(2 * $4) with vectors heads size screen 0.008,90 linewidth 0.8 linecolor rgb '#262626' notitle, \
     $proposed using 1:3 with boxes linecolor rgb '#D55E00' title 'Proposed (KL margin), 3 runs', \
     $proposed using 1:($3 - $4):(0):(2 * $4) with vectors heads size screen 0.008,90 linewidth 0.8 linecolor rgb '#262626' notitle, \
     $baseline using 1:5 with points pointtype 13 pointsize 0.8 linecolor rgb '#000000' title 'paper (arXiv Table 1)', \
     $decov using 1:5 with points pointtype 13 pointsize 0.8 linecolor rgb '#000000' notitle, \
     $xcov using 1:5 with points pointtype 13 pointsize 0.8 linecolor rgb '#000000' notitle, \
     $proposed using 1:5 with points pointtype 13 pointsize 0.8 linecolor rgb '#000000' notitle
