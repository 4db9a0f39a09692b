/**
 * The envelope types of the cucumber messages protocol 32.x (the top-level properties of its Envelope schema):
 * the server recognises envelopes in a container's stderr by them, the client merges streams by them. The
 * client's tests check this list against the schema that @cucumber/messages ships.
 */
export const CUCUMBER_ENVELOPE_TYPES: readonly string[] = [
  'attachment',
  'externalAttachment',
  'gherkinDocument',
  'hook',
  'meta',
  'parameterType',
  'parseError',
  'pickle',
  'suggestion',
  'source',
  'stepDefinition',
  'testCase',
  'testCaseFinished',
  'testCaseStarted',
  'testRunFinished',
  'testRunStarted',
  'testStepFinished',
  'testStepStarted',
  'testRunHookStarted',
  'testRunHookFinished',
  'undefinedParameterType',
];
