/** Who can sign in to the sample. A real app has a user store and signed tokens; this is a demo. */
export interface User {
  id: string;
  name: string;
  roles: string[];
}

export const DEMO_USERS: readonly User[] = [
  { id: 'ann', name: 'Ann', roles: ['admin'] },
  { id: 'bob', name: 'Bob', roles: ['member'] },
];

/** The demo's "token": good enough to show a guard protecting the routes, nothing more. */
export const tokenFor = (user: User): string => `demo-${user.id}`;

export const userForToken = (token: string | undefined): User | undefined =>
  DEMO_USERS.find((user) => token === `Bearer ${tokenFor(user)}`);
