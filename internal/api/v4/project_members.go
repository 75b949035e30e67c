package v4

func (a *API) registerProjectMembers() {
	a.registerMembers("projects", a.svc.ProjectMemberSource)
}
