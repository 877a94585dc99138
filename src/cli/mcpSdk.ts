/*
 * The parts of the MCP SDK that `cpapi mcp` uses, in a bundle of their own (dist/mcpsdk.js, see
 * scripts/build.mjs): the SDK with zod and ajv is larger than the rest of cpapi, and only `cpapi mcp`
 * loads it. Nothing of ours is in it.
 */
export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export { z } from 'zod';
