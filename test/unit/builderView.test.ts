import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SendSlot } from '../../src/extension/builder/sendSlot';
import { actionsView, ChoiceGate, functionInfo, methodView, optionalParams, problemsView } from '../../src/shared/builderView';
import { emptyState, type BuilderState, type FunctionSummary } from '../../src/shared/protocol';
import { Requests } from '../../src/shared/requests';
import { stateProblems } from '../../src/shared/requestRules';

const addPop: FunctionSummary = {
  family: 'uapi',
  name: 'Email/add_pop',
  title: 'Create an email account',
  method: 'GET',
  docs: 'https://api.docs.cpanel.net/x',
  params: [
    { name: 'email', type: 'string', required: true },
    { name: 'password', type: 'string', required: true },
    { name: 'quota', type: 'integer', required: false },
    { name: 'skip_update_db', type: 'boolean', required: false },
    { name: 'payload', type: 'object', required: false, body: 'json' },
  ],
};
const state = (over: Partial<BuilderState> = {}): BuilderState => ({
  ...emptyState(),
  serverId: 'c',
  functionName: 'Email/add_pop',
  params: [
    { name: 'email', value: '' },
    { name: 'password', value: '' },
  ],
  ...over,
});

describe("the builder's sections, as a model", () => {
  it("a row's problems wait until that row is changed or a send is tried, and go once the value is there", () => {
    const s = state();
    const quiet = problemsView(stateProblems(s, 'cpanel', addPop), 2, () => false, false, false);
    assert.deepEqual(quiet.rows, [[], []], 'nothing red before a touch');
    assert.deepEqual(quiet.pending, ['email is required.', 'password is required.']);
    assert.equal(quiet.loud, false);
    // Typing in email: that row is touched, the other stays quiet.
    const typingEmpty = problemsView(stateProblems(s, 'cpanel', addPop), 2, (i) => i === 0, true, false);
    assert.deepEqual(typingEmpty.rows, [['email is required.'], []]);
    s.params[0]!.value = 'a';
    const filled = problemsView(stateProblems(s, 'cpanel', addPop), 2, (i) => i === 0, true, false);
    assert.deepEqual(filled.rows, [[], []], 'the message goes the moment the field has a value');
    assert.deepEqual(filled.pending, ['password is required.']);
    const tried = problemsView(stateProblems(s, 'cpanel', addPop), 2, () => false, true, true);
    assert.deepEqual(tried.rows, [[], ['password is required.']], 'a send tried shows every problem at its field');
    assert.deepEqual(tried.pending, []);
  });

  it('Send, Copy and Save are off while a send runs; Cancel is there only then', () => {
    const idle = actionsView(false, 0);
    assert.deepEqual(
      [idle.send.disabled, idle.copy.disabled, idle.save.disabled, idle.cancel.shown, idle.send.label],
      [false, false, false, false, 'Send'],
    );
    const busy = actionsView(true, 0);
    assert.deepEqual(
      [busy.send.disabled, busy.copy.disabled, busy.save.disabled, busy.sendGroup.disabled, busy.cancel.shown, busy.send.label],
      [true, true, true, true, true, 'Sending…'],
    );
    assert.equal(actionsView(false, 1).send.disabled, true);
  });

  it('a secret goes by POST, says so, and GET chosen for it is warned about', () => {
    const s = state({
      params: [
        { name: 'email', value: 'a' },
        { name: 'password', value: 'S3cret!' },
      ],
    });
    assert.deepEqual(methodView(s, addPop), { secret: true, shown: 'POST', note: ' (carries a secret)' });
    const info = functionInfo(s, addPop, [addPop]);
    assert.equal(info.kind === 'function' && info.method, 'POST (carries a secret)');
    const chosen = methodView({ ...s, secretInUrl: true }, addPop);
    assert.equal(chosen.shown, 'GET');
    assert.match(chosen.warning ?? '', /^GET puts password into the URL, which cPanel writes to its access log/);
    assert.equal(methodView({ ...s, params: [{ name: 'email', value: 'a' }], method: 'POST' }, addPop).note, ' (documented as GET)');
  });

  it('the optional parameters on offer: not rows yet, and not body fields', () => {
    assert.deepEqual(
      optionalParams(addPop, state().params).map((p) => p.name),
      ['quota', 'skip_update_db'],
    );
    assert.deepEqual(
      optionalParams(addPop, [...state().params, { name: 'quota', value: '' }]).map((p) => p.name),
      ['skip_update_db'],
    );
    assert.deepEqual(optionalParams(undefined, []), []);
  });

  it('a partial name offers its functions', () => {
    const listPops = { ...addPop, name: 'Email/list_pops', title: 'List email accounts' };
    assert.deepEqual(functionInfo(state({ functionName: 'email' }), undefined, [addPop, listPops]), {
      kind: 'suggestions',
      names: [
        { name: 'Email/add_pop', title: 'Create an email account' },
        { name: 'Email/list_pops', title: 'List email accounts' },
      ],
    });
    assert.deepEqual(functionInfo(state({ functionName: 'Nope/none' }), undefined, [addPop]), { kind: 'unknown' });
  });
});

describe('Add optional parameter, from the keyboard', () => {
  it('arrows and letters only browse; Enter, a pick in the open list or a plain change applies', () => {
    const g = new ChoiceGate();
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowUp', 'q', 'End']) {
      assert.equal(g.keydown(key), 'browse');
      assert.equal(g.change(), 'wait', `${key} does not add`);
      g.settle();
    }
    assert.equal(g.keydown('Enter'), 'apply');
    assert.equal(g.keydown('Enter', true), 'none', 'Ctrl+Enter is the send keybinding, not a pick');
    assert.equal(g.keydown('Tab'), 'none');
    assert.equal(g.change(), 'apply', 'a change with no key before it is a pick (the mouse, selectOption)');
  });
});

describe('replies find their requests', () => {
  it('only the newest request of a kind takes a reply; a settled one takes no more', () => {
    const r = new Requests<'send' | 'copy'>();
    const copy1 = r.ask('copy');
    const copy2 = r.ask('copy');
    const send = r.ask('send');
    assert.equal(r.settle(copy1, 'send', 'copy'), undefined, 'a late reply to an older copy lands nowhere');
    assert.equal(r.answers(send, 'send'), 'send');
    assert.equal(r.settle(copy2, 'send', 'copy'), 'copy');
    assert.equal(r.pending('send'), true, "the copy's notice does not end the send");
    assert.equal(r.settle(send, 'copy'), undefined, 'a reply is only taken for the kinds it can answer');
    assert.equal(r.settle(send, 'send'), 'send');
    assert.equal(r.pending('send'), false);
    assert.equal(r.settle(send, 'send'), undefined, 'and only once');
    assert.equal(r.settle(undefined, 'send'), undefined);
  });
});

describe('one send at a time', () => {
  it('a second send is refused while the first runs; each send has its own controller', () => {
    const slot = new SendSlot();
    const first = slot.take(1)!;
    assert.ok(first);
    assert.equal(slot.take(2), undefined, 'refused, not overwriting the first');
    assert.equal(slot.seq, 1);
    assert.equal(slot.cancel(2), false, "the page's Cancel for another send does not stop this one");
    assert.equal(first.signal.aborted, false);
    assert.equal(slot.cancel(), true, 'Escape stops the one that runs');
    assert.equal(first.signal.aborted, true);
  });

  it("the end of one send never clears another's state", () => {
    const slot = new SendSlot();
    const first = slot.take(1)!;
    assert.equal(slot.release(first), true);
    const second = slot.take(2)!;
    assert.equal(slot.release(first), false, 'a late finally of the first');
    assert.equal(slot.busy, true);
    assert.equal(slot.seq, 2);
    assert.equal(slot.cancel(), true);
    assert.equal(second.signal.aborted, true);
    assert.equal(slot.release(second), true);
    assert.equal(slot.busy, false);
  });
});
