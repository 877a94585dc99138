/**
 * One send at a time per builder. A send takes the slot (or is refused while another holds it), gets its
 * own AbortController, and only the send that holds the slot can free it: the end of one send can
 * never clear the state of another. No vscode here: unit-tested.
 */
export interface SendTicket {
  readonly seq: number | undefined;
  readonly signal: AbortSignal;
}

export class SendSlot {
  private held: { ticket: SendTicket; controller: AbortController } | undefined;

  /** Whether a send runs. */
  get busy(): boolean {
    return this.held !== undefined;
  }

  /** The running send's seq (undefined when none runs or it came without one). */
  get seq(): number | undefined {
    return this.held?.ticket.seq;
  }

  /** A ticket for a new send, or undefined while another send holds the slot. */
  take(seq: number | undefined): SendTicket | undefined {
    if (this.held) return undefined;
    const controller = new AbortController();
    const ticket: SendTicket = { seq, signal: controller.signal };
    this.held = { ticket, controller };
    return ticket;
  }

  /** Frees the slot, when (and only when) this ticket holds it; says whether it did. */
  release(ticket: SendTicket): boolean {
    if (this.held?.ticket !== ticket) return false;
    this.held = undefined;
    return true;
  }

  /** Cancels the running send: any (Escape), or only the one with this seq (the page's Cancel). */
  cancel(seq?: number): boolean {
    if (!this.held || (seq !== undefined && this.held.ticket.seq !== undefined && seq !== this.held.ticket.seq)) return false;
    this.held.controller.abort();
    return true;
  }
}
