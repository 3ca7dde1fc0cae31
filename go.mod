module github.com/uplinehq/upline

go 1.24

require (
	github.com/google/go-cmp v0.7.0
	github.com/shopspring/decimal v1.6.0
)

require github.com/oklog/ulid/v2 v2.1.2
