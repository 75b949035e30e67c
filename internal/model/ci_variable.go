package model

import "time"

// Variable types of CI/CD variables: an environment variable, or a file
// whose path the variable holds.
const (
	CIVariableEnvVar = "env_var"
	CIVariableFile   = "file"
)

// CIVariableScopeAll is the environment scope of a variable for every
// environment, and for jobs without one.
const CIVariableScopeAll = "*"

// CIVariable is a CI/CD variable as a job receives it. Hidden variables
// are masked too; their value never leaves the server except to jobs.
// Raw ones are not expanded. Description is nil when none was given.
type CIVariable struct {
	Key              string
	Value            string
	VariableType     string
	Protected        bool
	Masked           bool
	Hidden           bool
	Raw              bool
	EnvironmentScope string
	Description      *string
}

// CIVariableOwnerKind is what a stored variable belongs to.
type CIVariableOwnerKind int

// Owners of CI/CD variables.
const (
	CIVariableOfProject CIVariableOwnerKind = iota
	CIVariableOfGroup
	CIVariableOfInstance
)

// CIVariableOwner names the project or group a variable belongs to (ID 0
// for the instance).
type CIVariableOwner struct {
	Kind CIVariableOwnerKind
	ID   int64
}

// StoredCIVariable is a variable's row: the variable, its owner and times.
type StoredCIVariable struct {
	CIVariable
	ID        int64
	Owner     CIVariableOwner
	CreatedAt time.Time
	UpdatedAt time.Time
}
