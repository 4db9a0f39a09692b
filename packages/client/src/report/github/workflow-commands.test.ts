import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeData, escapeProperty, workflowCommand } from './workflow-commands.js';

describe('workflow commands', () => {
  it('escapes %, CR and LF in data, and : and , too in properties', () => {
    assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });

  it('writes one line whatever the message holds, so it cannot start another command', () => {
    const line = workflowCommand(
      'error',
      { file: 'odd, name:1.feature', line: 7, title: 'failed: x', col: undefined },
      'boom\n::add-mask::secret',
    );
    assert.equal(line, '::error file=odd%2C name%3A1.feature,line=7,title=failed%3A x::boom%0A::add-mask::secret\n');
    assert.equal(line.split('\n').length, 2);
  });
});
