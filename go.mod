module github.com/lastmile-dev/lastmile

go 1.26.0

require github.com/paulmach/orb v0.14.0
