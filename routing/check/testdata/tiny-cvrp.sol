Route #1: 1 2
Route #2: 3 4 5
Cost 41
Worked by hand. Customers are numbered from 1 (node number minus 1); arcs
are rounded to the nearest integer (CVRPLIB).
  route 1: depot(0,0) 5 node2(3,4) 5 node3(6,8) 10 depot      = 20, load 4+5 = 9
  route 2: depot 5 node4(-3,4) 8 node5(-3,-4) √34=5.83→6 node6(2,-1) √5=2.24→2 depot
                                                              = 21, load 6+3+1 = 10
  total 41 (unrounded it would be 41.067)
