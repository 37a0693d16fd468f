// Package loadtest measures the API server under load with vegeta: a
// 50-stop POST /v1/optimize with a 1 s solve limit, at concurrency 50,
// against a real server on loopback. It reports requests per second and
// p50/p99 latency. The test is behind the loadtest build tag:
//
//	go test -tags loadtest -run TestLoadOptimize -v ./api/loadtest -load.duration 20s
//
// With -load.target it attacks a running `lastmile serve` instead (loopback
// addresses only), using -load.key as the bearer key.
package loadtest
