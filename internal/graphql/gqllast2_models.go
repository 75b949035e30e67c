package graphql

import "github.com/lablet/lablet/internal/model"

// CiJobTokenScopeType is a project's CI/CD job token scope; its lists
// are read once, when the field is resolved for a Maintainer.
type CiJobTokenScopeType struct {
	projects []*model.Project
	groups   []*model.Namespace
	self     *Project
}

// TestReportSummary is a pipeline's test report counts; its suites page
// in memory.
type TestReportSummary struct {
	Total  *TestReportTotal `json:"total"`
	suites []*TestSuiteSummary
}
