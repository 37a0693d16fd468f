module github.com/lastmile-dev/lastmile

go 1.26.0

require github.com/paulmach/orb v0.14.0

require github.com/uber/h3-go/v4 v4.4.1 // indirect
