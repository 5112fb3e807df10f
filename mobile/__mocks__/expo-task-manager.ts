// Manual mock: tasks are functions in a map; "registered" follows expo-background-task's mock.
import { registered } from './expo-background-task';

export const tasks = new Map<string, () => Promise<unknown>>();
export function defineTask(name: string, task: () => Promise<unknown>): void {
  tasks.set(name, task);
}
export function isTaskDefined(name: string): boolean {
  return tasks.has(name);
}
export async function isTaskRegisteredAsync(name: string): Promise<boolean> {
  return registered.has(name);
}
