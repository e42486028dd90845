# compare-loss.png -- drawn by ftlab. To redraw after editing: gnuplot compare-loss.gp
# (in this folder). The data are inline below and also in compare-loss.dat.
set terminal pngcairo enhanced size 1050,849 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'compare-loss.png'
set encoding utf8

# Baseline → Proposed (KL margin) (run-a): step, task loss, moving average
$run1 << EOD
1 0.693 0.693
2 0.69 0.69
3 0.68 0.68
4 0.66 0.66
5 0.6 0.6
6 0.55 0.55
7 0.5 0.5
8 0.45 0.45
EOD
# Proposed (KL margin) (run-b): step, task loss, moving average
$run2 << EOD
1 0.7 0.7
2 0.65 0.65
3 0.6 0.6
4 0.5 0.5
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

set title 'Classifier: task loss per batch, and its moving average'
set xlabel 'training step (batch)'
set ylabel 'BCE (log scale)'
set logscale y
set autoscale xfix
set bmargin at screen 0.2580
set key at screen 0.5, screen 0.1166 center top horizontal maxcols 1 reverse Left width -2

plot $run1 using 1:2 with lines linewidth 0.5 linecolor rgb '#B3999999' notitle, \
     $run2 using 1:2 with lines linewidth 0.5 linecolor rgb '#B3D55E00' notitle, \
     $run1 using 1:3 with lines linewidth 1.2 linecolor rgb '#999999' title 'Baseline → Proposed (KL margin)' noenhanced, \
     $run2 using 1:3 with lines linewidth 1.2 linecolor rgb '#D55E00' title 'Proposed (KL margin)' noenhanced
