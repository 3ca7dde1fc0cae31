// Package commissiontest golden-tests a compensation plan.
package commissiontest
