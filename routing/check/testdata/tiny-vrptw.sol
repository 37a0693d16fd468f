Route 1 : 1 2
Route 2 : 3 4
Cost 31.1231
Worked by hand. Unrounded Euclidean distance; travel time equals distance.
  route 1: depot(0,0) 5 c1(3,4) 5 c2(6,8) 10 depot = 20
           arrive c1 at 5 in [0,15], leave 10; arrive c2 at 15 in [10,40], leave 20; back at 30 ≤ 100; load 9
  route 2: depot 5 c3(-3,4) √17=4.1231 c4(-2,0) 2 depot = 11.1231
           arrive c3 at 5 in [0,25], leave 10; arrive c4 at 14.12, wait to 20, leave 25; back at 27; load 9
  total 31.12311 (= 31 + √17 − 4)
  Reversing route 2 (c4 first) reaches c3 at 29.12 > 25: a time-window violation.
