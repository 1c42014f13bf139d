import type { ConnectionState, Speaker } from '@rtvoice/client';

/**
 * What the widget shows: the connection state, refined while connected by who
 * is speaking and whether the microphone is muted.
 */
export type WidgetState =
  | 'idle'
  | 'connecting'
  | 'listening'
  | 'user-speaking'
  | 'assistant-speaking'
  | 'muted'
  | 'reconnecting'
  | 'ending'
  | 'error';

/** What is happening in a connected call (`detail.activity` of `rtvoice-state`). */
export type WidgetActivity = 'listening' | 'user-speaking' | 'assistant-speaking' | 'muted';

/** The activity of a connected call: speech wins over mute (the agent may still talk while the mic is muted). */
export function activityOf(speaking: Speaker, muted: boolean): WidgetActivity {
  if (speaking === 'assistant') return 'assistant-speaking';
  if (speaking === 'user') return 'user-speaking';
  return muted ? 'muted' : 'listening';
}

/** The widget state for a connection state (and the activity while connected). */
export function widgetStateOf(state: ConnectionState, activity: WidgetActivity): WidgetState {
  switch (state) {
    case 'connecting':
      return 'connecting';
    case 'connected':
      return activity;
    case 'reconnecting':
      return 'reconnecting';
    case 'closing':
      return 'ending';
    case 'failed':
      return 'error';
    default:
      return 'idle';
  }
}
