Instance name : tiny-pdptw (written by hand for the checker's tests)
Solution
Route 1 : 1 2
Route 2 : 3 4
Cost 36.2245
Worked by hand. Li & Lim rows: id x y demand ready due service pickup delivery;
1 → 2 and 3 → 4 are pickup → delivery pairs. Unrounded Euclidean, speed 1.
  route 1: depot(0,0) 5 p1(3,4) 5 d2(6,8) 10 depot = 20; load 5 then 0
           arrive p1 at 5 ≤ 50, leave 7; arrive d2 at 12 ≤ 100, leave 14; back at 24 ≤ 200
  route 2: depot 5 p3(-3,4) √10=3.1623 d4(-4,7) √65=8.0623 depot = 16.2245; load 3 then 0
           arrive p3 at 5 ≤ 60, leave 7; arrive d4 at 10.16 ≤ 120, leave 12.16; back at 20.22
  total 36.22454
