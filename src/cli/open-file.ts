import { spawn } from 'node:child_process';

/** Opens a file or URL in the desktop's default program; false when there is no opener (a server, CI). */
export function openFile(path: string, platform: NodeJS.Platform): Promise<boolean> {
  const [command, args] = platform === 'darwin' ? ['open', [path]] : platform === 'win32' ? ['cmd', ['/c', 'start', '', path]] : ['xdg-open', [path]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
