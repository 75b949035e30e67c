package v4

func (a *API) registerFiles() {}
