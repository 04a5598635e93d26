import type { AppDeps } from '../context.js';
import type { Progress } from '../../cli/progress.js';

/** Creates the demo city on an empty database (work in progress). */
export async function ensureDemoCity(_deps: AppDeps, _progress: Progress): Promise<void> {}
