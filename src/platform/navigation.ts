import type { Role } from './permissions.ts';

interface NavigationItem {
  href: string;
  text: string;
  active?: boolean;
}

// Only pages that exist are listed; each role sees its own home first (product.md).
const NAVIGATION: Record<Role, Array<{ href: string; text: string }>> = {
  senco: [
    { href: '/today', text: 'Today' },
    { href: '/register', text: 'Register' },
    { href: '/plans', text: 'Plans' },
    { href: '/provision', text: 'Provision' },
    { href: '/imports', text: 'Imports' },
    { href: '/overview', text: 'Overview' },
    { href: '/tasks', text: 'My tasks' },
    { href: '/audit', text: 'Audit log' },
    { href: '/settings', text: 'School settings' },
  ],
  sen_admin: [
    { href: '/today', text: 'Today' },
    { href: '/register', text: 'Register' },
    { href: '/plans', text: 'Plans' },
    { href: '/provision', text: 'Provision' },
    { href: '/imports', text: 'Imports' },
    { href: '/overview', text: 'Overview' },
    { href: '/tasks', text: 'My tasks' },
  ],
  teacher: [
    { href: '/my-class', text: 'My class' },
    { href: '/my-pupils', text: 'My pupils with SEN' },
    { href: '/my-groups', text: 'My groups' },
    { href: '/concerns/mine', text: 'Concerns' },
    { href: '/tasks', text: 'My tasks' },
  ],
  teaching_assistant: [
    { href: '/my-groups', text: 'My groups' },
    { href: '/my-class', text: 'My class' },
    { href: '/my-pupils', text: 'My pupils with SEN' },
    { href: '/concerns/mine', text: 'Concerns' },
    { href: '/tasks', text: 'My tasks' },
  ],
  leader: [
    { href: '/overview', text: 'Overview' },
    { href: '/register', text: 'Register' },
    { href: '/plans', text: 'Plans' },
    { href: '/provision', text: 'Provision' },
    { href: '/audit', text: 'Audit log' },
  ],
  governor: [
    { href: '/overview', text: 'Overview' },
    { href: '/provision/summary', text: 'Provision' },
  ],
  parent: [{ href: '/my-children', text: 'My child' }],
};

export function navigationFor(role: Role, currentUrl: string): NavigationItem[] {
  const path = currentUrl.split('?')[0] ?? '';
  return NAVIGATION[role].map((item) => ({
    ...item,
    active: path === item.href || path.startsWith(`${item.href}/`) || (item.href === '/register' && path.startsWith('/pupils/')) || (item.href === '/plans' && path.startsWith('/concerns')),
  }));
}
