#!/usr/bin/env bash
# The walkthrough of seeds/002 ("Using the GitLab API": groups, a subgroup,
# a project, a first git push, Gitflow branches, reading a file), with the
# article's typos mended:
#   - missing ";"/"fi" around the if blocks, "fiecho", "projectId=projectId=";
#   - "git remote add origin" had no URL: the project's http_url_to_repo is
#     used, with the token as password;
#   - "mvn archetype:generate" is replaced by writing the same quickstart
#     layout by hand (no Maven on test machines);
#   - curl -fsS so an HTTP error stops the script, and checks with jq -e.
# Needs GITLAB_SERVER and GITLAB_TOKEN; prints "walkthrough ok" at the end.
set -euo pipefail

: "${GITLAB_SERVER:?}" "${GITLAB_TOKEN:?}"
export GITLAB_ROOTGROUP=my-programme
export GITLAB_SUBGROUP=backhub
export GITLAB_PROJECT=hello-world-project-01
export GITLAB_FEATURE=feature/my-feature-0

api() { curl -fsS -H "PRIVATE-TOKEN: $GITLAB_TOKEN" "$@"; }

# creating a root group
rootGroupId=$(api "$GITLAB_SERVER/api/v4/groups?search=$GITLAB_ROOTGROUP" | jq '.[0]["id"]')
if [ "$rootGroupId" == "null" ]; then
  rootGroupId=$(api -d "name=$GITLAB_ROOTGROUP&path=$GITLAB_ROOTGROUP&visibility=private&lfs_enabled=true&description=Root group" \
    -X POST "$GITLAB_SERVER/api/v4/groups" | jq '.["id"]')
fi
echo "Root group Id: $rootGroupId"

# creating a sub group
rootSubGroupId=$(api "$GITLAB_SERVER/api/v4/groups/$rootGroupId/subgroups?search=$GITLAB_SUBGROUP" | jq '.[0]["id"]')
if [ "$rootSubGroupId" == "null" ]; then
  rootSubGroupId=$(api -d "name=$GITLAB_SUBGROUP&path=$GITLAB_SUBGROUP&visibility=private&lfs_enabled=true&description=$GITLAB_SUBGROUP programme&parent_id=$rootGroupId" \
    -X POST "$GITLAB_SERVER/api/v4/groups" | jq '.["id"]')
fi
echo "Sub group Id: $rootSubGroupId"

# creating a project
projectId=$(api "$GITLAB_SERVER/api/v4/groups/$rootSubGroupId/projects?search=$GITLAB_PROJECT" | jq '.[0]["id"]')
if [ "$projectId" == "null" ]; then
  projectId=$(api -d "path=$GITLAB_PROJECT&namespace_id=$rootSubGroupId" -X POST "$GITLAB_SERVER/api/v4/projects" | jq '.["id"]')
fi
echo "Project Id: $projectId"

# a basic Java Maven structure (what the archetype generates)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$GITLAB_PROJECT/src/main/java/edu/emmerson/gitlab"
cd "$GITLAB_PROJECT"
cat > pom.xml <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>edu.emmerson.gitlab</groupId>
  <artifactId>$GITLAB_PROJECT</artifactId>
  <version>0.0.1</version>
</project>
POM
cat > src/main/java/edu/emmerson/gitlab/App.java <<'JAVA'
package edu.emmerson.gitlab;

public class App {
    public static void main(String[] args) {
        System.out.println("Hello World!");
    }
}
JAVA

repoURL=$(api "$GITLAB_SERVER/api/v4/projects/$projectId" | jq -r '.http_url_to_repo')
pushURL="${repoURL/:\/\//://oauth2:$GITLAB_TOKEN@}"

git init -q -b master
git remote add origin "$pushURL"
git add .
git commit -q -m "Initial commit"
git push -q -u origin master

# the first push made master the default branch
api "$GITLAB_SERVER/api/v4/projects/$projectId" | jq -e '.default_branch == "master" and .empty_repo == false' >/dev/null

# Git branches initial structure as per Gitflow
projectId=$(api "$GITLAB_SERVER/api/v4/groups/$rootSubGroupId/projects?search=$GITLAB_PROJECT" | jq '.[0]["id"]')

# create develop branch
api -d "branch=develop&ref=master" -X POST "$GITLAB_SERVER/api/v4/projects/$projectId/repository/branches" |
  jq -e '.name == "develop"' >/dev/null

# create feature branch
api -d "branch=$GITLAB_FEATURE&ref=develop" -X POST "$GITLAB_SERVER/api/v4/projects/$projectId/repository/branches" |
  jq -e --arg b "$GITLAB_FEATURE" '.name == $b' >/dev/null

# Repository activity checking: read a file
file=$(api "$GITLAB_SERVER/api/v4/projects/$projectId/repository/files/pom.xml?ref=master")
echo "$file" | jq -e '.file_name == "pom.xml" and .file_path == "pom.xml" and .encoding == "base64" and .ref == "master"' >/dev/null
echo "$file" | jq -r '.content' | base64 -d | grep -q "<artifactId>$GITLAB_PROJECT</artifactId>"
echo "$file" | jq -e '.last_commit_id | length == 40' >/dev/null

echo "walkthrough ok"
