import type { Command } from 'commander';

export function registerImportBoundaries(_parent: Command): void {
  // work in progress
}
