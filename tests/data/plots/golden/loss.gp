# loss.png -- drawn by ftlab. To redraw after editing: gnuplot loss.gp
# (in this folder). The data are inline below and also in loss.dat.
set terminal pngcairo enhanced size 1050,860 font 'Helvetica,8' fontscale 3.1250 linewidth 4.1667 pointscale 4.1667 background '#ffffff'
set output 'loss.png'
set encoding utf8

# step task decov xcov proposed total (NaN: <= 0)
$loss << EOD
1 0.693 NaN 2.5e-11 59.9 0.693
2 0.69 1e-06 3e-09 59.8 0.69
3 0.68 1e-05 2e-08 59.7 0.68
4 0.66 0.0001 1e-07 59.5 30.41
5 0.6 0.001 1e-06 58 29.6
6 0.55 0.01 NaN 50 25.55
7 0.5 0.1 0.0001 110 55.5
8 0.45 1 0.001 100 50.45
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

set title 'Classifier, Baseline → Proposed (KL margin)'
set xlabel 'training step (batch)'
set ylabel 'loss term (log scale)'
set xrange [1:8]
set logscale y
set format y '10^{%L}'
set mytics 10
set bmargin at screen 0.3019
set key at screen 0.5, screen 0.1623 center top horizontal maxcols 2 reverse Left width -2

set arrow 1 from 4, graph 0 to 4, graph 1 nohead back linewidth 0.6 dashtype (3,3) linecolor rgb '#595959'
set label 1 '→ proposed, λ=0.5' at 4, graph 0.98 rotate by 90 right offset -1.4,0 front font ',6.5' textcolor rgb '#404040' noenhanced
set arrow 2 from 7, graph 0 to 7, graph 1 nohead back linewidth 0.6 dashtype (3,3) linecolor rgb '#595959'
set label 2 'm=10' at 7, graph 0.98 rotate by 90 right offset -1.4,0 front font ',6.5' textcolor rgb '#404040' noenhanced

plot $loss using 1:2 with lines linewidth 1.1 linecolor rgb '#000000' title 'task (BCE)', \
     $loss using 1:3 with lines linewidth 0.9 linecolor rgb '#E69F00' title 'DeCov', \
     $loss using 1:4 with lines linewidth 0.9 linecolor rgb '#56B4E9' title 'XCov', \
     $loss using 1:5 with lines linewidth 0.9 linecolor rgb '#D55E00' title 'Proposed (KL margin)', \
     $loss using 1:6 with lines linewidth 0.9 dashtype (4,2) linecolor rgb '#0072B2' title 'total (task + λ·reg)'
