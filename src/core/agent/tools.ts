/**
 * The four tools an agent gets, as data: names, descriptions and input schemas, the same in VS Code
 * (package.json's contributes.languageModelTools, checked against these by test/unit/agent.test.ts)
 * and in `cpapi mcp`. Plain JSON Schema: both hosts hand it to the model as it is.
 */

export const TOOL_NAMES = ['cpanel_list_servers', 'cpanel_search_functions', 'cpanel_describe_function', 'cpanel_call'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const API = {
  type: 'string',
  enum: ['uapi', 'whm', 'api2'],
  description: 'uapi (UAPI, Module/function), whm (WHM API 1) or api2 (cPanel API 2, Module/function).',
} as const;

const PARAM_VALUE = { type: ['string', 'number', 'boolean'] } as const;

export const TOOL_SCHEMAS: Record<ToolName, object> = {
  cpanel_list_servers: { type: 'object', properties: {}, additionalProperties: false },
  cpanel_search_functions: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'Words of the function name or title, e.g. "list email accounts" or "listaccts".' },
      api: API,
      limit: { type: 'integer', minimum: 1, maximum: 50, description: 'How many functions to return (default 20).' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  cpanel_describe_function: {
    type: 'object',
    properties: {
      api: API,
      function: { type: 'string', description: 'Module/function for uapi and api2 (Email/list_pops), the name for whm (listaccts).' },
    },
    required: ['api', 'function'],
    additionalProperties: false,
  },
  cpanel_call: {
    type: 'object',
    properties: {
      server: { type: 'string', description: 'The label of a server, as cpanel_list_servers gives it.' },
      api: API,
      function: { type: 'string', description: 'Module/function for uapi and api2 (Email/list_pops), the name for whm (listaccts).' },
      params: {
        type: 'object',
        description: 'Parameters by name: a string, number or boolean (sent as 1/0), or a list of them (the name is repeated).',
        additionalProperties: { anyOf: [PARAM_VALUE, { type: 'array', items: PARAM_VALUE }] },
      },
      account: {
        type: 'string',
        description: 'On a WHM server: the cPanel account to call uapi or api2 on behalf of (required for api2).',
      },
      query: {
        type: 'string',
        description:
          'A JMESPath expression applied to the answer {ok, kind, status, data, errors, …} before you get it, e.g. "data[].email".',
      },
    },
    required: ['server', 'api', 'function'],
    additionalProperties: false,
  },
};

/** Descriptions for the model (VS Code's modelDescription, MCP's tool description). */
export function toolDescription(name: ToolName, host: 'vscode' | 'mcp'): string {
  switch (name) {
    case 'cpanel_list_servers':
      return (
        'Lists the cPanel & WHM servers configured here: label, service (cpanel, whm, webmail), host, port, user, groups and state. ' +
        'Use a label as `server` in cpanel_call.'
      );
    case 'cpanel_search_functions':
      return (
        'Searches the catalog of cPanel & WHM API functions (UAPI, WHM API 1) by name and title. ' +
        'Each has its API, title, effect (read, change, destructive), required parameters and docs link.'
      );
    case 'cpanel_describe_function':
      return (
        'Describes one API function from the catalog: its parameters with types, required flags and documented values, ' +
        'HTTP method, the release it came with, its effect and its docs link.'
      );
    case 'cpanel_call': {
      const guard =
        host === 'vscode'
          ? 'A read runs after the usual tool approval; a change is shown to the user for confirmation; a destructive call ' +
            '(remove, suspend, reset, change a password…) only if the user turned it on, and confirmed each time.'
          : 'This server is read-only unless it was started with --allow-changes ' +
            '(and --allow-destructive for calls that remove, suspend, reset or change a password).';
      const secret =
        host === 'vscode'
          ? 'Never put a secret value (password, token…) in params: give the name with the value "" and the user types it in a password box.'
          : 'A secret parameter (password, token…) must be written as "${env:NAME}", NAME an environment variable the user set: never a literal value.';
      return (
        'Calls a cPanel & WHM API function on one server and gives back the normalized answer {ok, kind, status, data, errors, warnings, messages}. ' +
        `${guard} ${secret} ` +
        "Large lists are cut to a budget: narrow them with query (JMESPath) or the API's own api.filter and api.columns parameters."
      );
    }
  }
}

/** What a person reads in VS Code's tool picker and chat (userDescription, displayName). */
export const TOOL_TITLES: Record<ToolName, string> = {
  cpanel_list_servers: 'List cPanel Servers',
  cpanel_search_functions: 'Search cPanel API Functions',
  cpanel_describe_function: 'Describe a cPanel API Function',
  cpanel_call: 'Call a cPanel API Function',
};
