import type { Command } from 'commander';

export function registerImportDivisions(_parent: Command): void {
  // work in progress
}
