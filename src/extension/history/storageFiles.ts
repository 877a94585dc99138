import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';

/**
 * The few file operations History makes in its storage folder. Where the folder is on the extension
 * host's own disk (a file: URI: the extension's global storage is wherever its host runs), through
 * Node's fs. Through vscode.workspace.fs each operation is a round trip through the workbench: some
 * 0.3 s each in code-server under load, where 150 calls recorded at once took 43 s. Anywhere else (a
 * virtual file system), through vscode.workspace.fs.
 */
export interface StorageFiles {
  /** The file's bytes, or undefined when there is no such file. */
  read(uri: vscode.Uri): Promise<Uint8Array | undefined>;
  write(uri: vscode.Uri, data: Uint8Array): Promise<void>;
  /** Removes a file (or a folder and what it holds); one that is not there is no error. */
  remove(uri: vscode.Uri): Promise<void>;
  makeFolder(uri: vscode.Uri): Promise<void>;
}

export function storageFiles(folder: vscode.Uri): StorageFiles {
  return folder.scheme === 'file' ? nodeFiles : workspaceFiles;
}

const nodeFiles: StorageFiles = {
  async read(uri) {
    try {
      return await fs.readFile(uri.fsPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
  write: (uri, data) => fs.writeFile(uri.fsPath, data),
  remove: (uri) => fs.rm(uri.fsPath, { recursive: true, force: true }),
  makeFolder: async (uri) => void (await fs.mkdir(uri.fsPath, { recursive: true })),
};

const workspaceFiles: StorageFiles = {
  async read(uri) {
    try {
      return await vscode.workspace.fs.readFile(uri);
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
      throw e;
    }
  },
  write: async (uri, data) => vscode.workspace.fs.writeFile(uri, data),
  remove: async (uri) => vscode.workspace.fs.delete(uri, { recursive: true }).then(undefined, () => undefined),
  makeFolder: async (uri) => vscode.workspace.fs.createDirectory(uri),
};
