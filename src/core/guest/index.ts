// Public surface of the guest step (issue 10): read-only, over any ReadAt of the guest's disk.
export { inspectGuest } from './inspect-guest.ts';
export { guestJson, type GuestJson } from './contract.ts';
export { DEFAULT_BUDGET, type GuestBudget, type ReadAt } from './device.ts';
export { CHECK_CODES } from './checklist.ts';
export { GUEST_FINDING_CODES } from './finding-codes.ts';
export type { ChecklistItem, FilesystemFacts, GuestOs, GuestResult, GuestSuggested } from './types.ts';
export type { AllocatedAt } from './free-space.ts';
