package graphql

//go:generate go run github.com/99designs/gqlgen@v0.17.98 generate --config gqlgen.yml

import "github.com/lablet/lablet/internal/service"

// Resolver is the root of the generated resolvers: the service every
// field reads through, so GraphQL answers as REST does.
type Resolver struct {
	svc         *service.Service
	externalURL string
	version     string
	gravatar    bool
}
