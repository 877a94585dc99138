import * as vscode from 'vscode';
import type { LogLevel } from '../core/client';

/** One "cPanel" log channel; every line is redacted before it gets here. */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('cPanel', { log: true });

  sink(component: string): (level: LogLevel, message: string) => void {
    return (level, message) => this.write(level, component, message);
  }

  write(level: LogLevel, component: string, message: string): void {
    const line = `[${component}] ${message}`;
    switch (level) {
      case 'trace':
        return this.channel.trace(line);
      case 'debug':
        return this.channel.debug(line);
      case 'info':
        return this.channel.info(line);
      case 'warn':
        return this.channel.warn(line);
      case 'error':
        return this.channel.error(line);
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}
