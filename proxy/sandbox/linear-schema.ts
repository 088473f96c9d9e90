// SDL of the Linear GraphQL subset the sandbox serves; names and types follow Linear's public schema.

/** Pagination arguments every Linear connection field takes. */
const PAGE =
  'first: Int, after: String, last: Int, before: String, includeArchived: Boolean, orderBy: PaginationOrderBy';
const ISSUE_PAGE = `${PAGE}, filter: IssueFilter`;

const connection = (node: string) => `
  type ${node}Edge { node: ${node}!, cursor: String! }
  type ${node}Connection { edges: [${node}Edge!]!, nodes: [${node}!]!, pageInfo: PageInfo! }`;

const DATE_OPS = 'eq, neq, gt, gte, lt, lte'
  .split(', ')
  .map((op) => `${op}: DateTimeOrDuration`)
  .join(', ');
const NUMBER_OPS =
  'eq: Float, neq: Float, gt: Float, gte: Float, lt: Float, lte: Float, in: [Float!], nin: [Float!]';
const STRING_OPS = `eq: String, neq: String, in: [String!], nin: [String!], eqIgnoreCase: String, neqIgnoreCase: String,
    startsWith: String, endsWith: String, contains: String, containsIgnoreCase: String, notContains: String`;

export const LINEAR_SDL = `
  "ISO-8601 date-time."
  scalar DateTime
  "Calendar date, YYYY-MM-DD."
  scalar TimelessDate
  "An ISO-8601 date-time, or an ISO-8601 duration relative to now (e.g. -P2W)."
  scalar DateTimeOrDuration

  enum PaginationOrderBy { createdAt, updatedAt }

  type PageInfo { hasPreviousPage: Boolean!, hasNextPage: Boolean!, startCursor: String, endCursor: String }

  type Team {
    id: ID!, key: String!, name: String!, description: String
    createdAt: DateTime!, updatedAt: DateTime!, archivedAt: DateTime
    states(${PAGE}): WorkflowStateConnection!
    issues(${ISSUE_PAGE}): IssueConnection!
  }

  type User {
    id: ID!, name: String!, displayName: String!, email: String!, active: Boolean!, admin: Boolean!
    createdAt: DateTime!, updatedAt: DateTime!, archivedAt: DateTime
    assignedIssues(${ISSUE_PAGE}): IssueConnection!
  }

  type Project {
    id: ID!, name: String!, description: String!, state: String!, progress: Float!
    startDate: TimelessDate, targetDate: TimelessDate
    createdAt: DateTime!, updatedAt: DateTime!, archivedAt: DateTime
    lead: User
    issues(${ISSUE_PAGE}): IssueConnection!
  }

  type WorkflowState {
    id: ID!, name: String!, type: String!, color: String!, position: Float!, team: Team!
    createdAt: DateTime!, updatedAt: DateTime!, archivedAt: DateTime
  }

  type IssueLabel { id: ID!, name: String! }

  type Issue {
    id: ID!, identifier: String!, number: Float!, title: String!, description: String
    priority: Float!, priorityLabel: String!, estimate: Float
    state: WorkflowState!, team: Team!, assignee: User, project: Project
    labels(${PAGE}): IssueLabelConnection!
    createdAt: DateTime!, updatedAt: DateTime!, completedAt: DateTime, archivedAt: DateTime
    dueDate: TimelessDate, url: String!
  }
  ${['Issue', 'Team', 'User', 'Project', 'WorkflowState', 'IssueLabel'].map(connection).join('')}

  input DateComparator { ${DATE_OPS}, in: [DateTimeOrDuration!], nin: [DateTimeOrDuration!] }
  input NullableDateComparator { ${DATE_OPS}, in: [DateTimeOrDuration!], nin: [DateTimeOrDuration!], null: Boolean }
  input IDComparator { eq: ID, neq: ID, in: [ID!], nin: [ID!] }
  input StringComparator { ${STRING_OPS} }
  input NullableStringComparator { ${STRING_OPS}, null: Boolean }
  input NumberComparator { ${NUMBER_OPS} }
  input NullableNumberComparator { ${NUMBER_OPS}, null: Boolean }
  input WorkflowStateFilter {
    id: IDComparator, name: StringComparator, type: StringComparator
    and: [WorkflowStateFilter!], or: [WorkflowStateFilter!]
  }
  input TeamFilter { id: IDComparator, key: StringComparator, name: StringComparator, and: [TeamFilter!], or: [TeamFilter!] }
  input NullableUserFilter {
    id: IDComparator, name: StringComparator, email: StringComparator, null: Boolean
    and: [NullableUserFilter!], or: [NullableUserFilter!]
  }
  input NullableProjectFilter {
    id: IDComparator, name: StringComparator, null: Boolean, and: [NullableProjectFilter!], or: [NullableProjectFilter!]
  }
  input IssueLabelFilter { id: IDComparator, name: StringComparator }
  input IssueLabelCollectionFilter { some: IssueLabelFilter, every: IssueLabelFilter, length: NumberComparator }
  input IssueFilter {
    id: IDComparator, createdAt: DateComparator, updatedAt: DateComparator
    completedAt: NullableDateComparator, dueDate: NullableDateComparator
    number: NumberComparator, title: StringComparator, description: NullableStringComparator
    priority: NullableNumberComparator, estimate: NullableNumberComparator
    state: WorkflowStateFilter, team: TeamFilter, assignee: NullableUserFilter, project: NullableProjectFilter
    labels: IssueLabelCollectionFilter
    and: [IssueFilter!], or: [IssueFilter!]
  }

  input IssueCreateInput {
    id: String, title: String, description: String, teamId: String!, priority: Int, estimate: Int
    stateId: String, assigneeId: String, projectId: String, labelIds: [String!], dueDate: TimelessDate
  }
  input IssueUpdateInput {
    title: String, description: String, teamId: String, priority: Int, estimate: Int
    stateId: String, assigneeId: String, projectId: String, labelIds: [String!], dueDate: TimelessDate
  }
  type IssuePayload { success: Boolean!, issue: Issue, lastSyncId: Float! }

  type Query {
    issues(${ISSUE_PAGE}): IssueConnection!
    issue(id: String!): Issue!
    teams(${PAGE}): TeamConnection!
    team(id: String!): Team!
    users(${PAGE}, includeDisabled: Boolean): UserConnection!
    user(id: String!): User!
    projects(${PAGE}): ProjectConnection!
    project(id: String!): Project!
    workflowStates(${PAGE}): WorkflowStateConnection!
    issueLabels(${PAGE}): IssueLabelConnection!
    viewer: User!
  }

  type Mutation {
    issueCreate(input: IssueCreateInput!): IssuePayload!
    issueUpdate(id: String!, input: IssueUpdateInput!): IssuePayload!
  }
`;
