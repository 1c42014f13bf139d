/** Every text the widget shows or announces, in one language. */
export interface WidgetLabels {
  start: string;
  end: string;
  mute: string;
  holdToTalk: string;
  stopAnswer: string;
  send: string;
  message: string;
  placeholder: string;
  conversation: string;
  you: string;
  agent: string;
  tool: string;
  interrupted: string;
  retry: string;
  enableSound: string;
  cost: string;
  turnLatency: string;
  connectTime: string;
  noTokenUrl: string;
  /** Human messages for the errors a visitor can act on (the client's technical message is shown after it). */
  errors: Partial<Record<import('@rtvoice/client').RtvoiceErrorCode, string>>;
  states: Record<import('./widget-state.js').WidgetState, string>;
}

const EN: WidgetLabels = {
  start: 'Start call',
  end: 'End call',
  mute: 'Mute microphone',
  holdToTalk: 'Hold to talk',
  stopAnswer: 'Stop answer',
  send: 'Send',
  message: 'Message',
  placeholder: 'Type a message…',
  conversation: 'Conversation',
  you: 'You',
  agent: 'Agent',
  tool: 'Tool',
  interrupted: 'interrupted',
  retry: 'Try again',
  enableSound: 'Turn on sound',
  cost: 'Cost',
  turnLatency: 'Last turn latency',
  connectTime: 'Connect time',
  noTokenUrl: 'This voice widget is not set up: its token-url attribute is missing.',
  errors: {
    token_fetch_failed: 'Could not start the call: the voice service did not answer.',
    mic_permission_denied: 'Microphone access was blocked. Allow it for this site, then try again.',
    mic_not_found: 'No microphone was found. Connect one, then try again.',
    mic_in_use: 'The microphone is busy in another app. Close it, then try again.',
    mic_failed: 'The microphone stopped working.',
    unsupported_environment: 'This browser cannot make voice calls here (a secure https page is needed).',
    sdp_rejected: 'The voice service refused the call.',
    network_error: 'The network connection failed. Check it, then try again.',
    connect_timeout: 'Connecting took too long.',
    reconnect_failed: 'The call was lost and could not be reconnected.',
    budget_exceeded: 'This call reached its cost limit.',
    autoplay_blocked: 'The browser blocked the sound.',
  },
  states: {
    idle: 'Ready',
    connecting: 'Connecting…',
    listening: 'Listening',
    'user-speaking': 'You are speaking',
    'assistant-speaking': 'Agent is speaking',
    muted: 'Microphone muted',
    reconnecting: 'Reconnecting…',
    ending: 'Ending call…',
    error: 'Something went wrong',
  },
};

const KO: WidgetLabels = {
  start: '통화 시작',
  end: '통화 종료',
  mute: '마이크 끄기',
  holdToTalk: '누르고 말하기',
  stopAnswer: '답변 중지',
  send: '보내기',
  message: '메시지',
  placeholder: '메시지를 입력하세요…',
  conversation: '대화',
  you: '나',
  agent: '상담원',
  tool: '도구',
  interrupted: '중단됨',
  retry: '다시 시도',
  enableSound: '소리 켜기',
  cost: '비용',
  turnLatency: '마지막 응답 지연',
  connectTime: '연결 시간',
  noTokenUrl: '음성 위젯이 설정되지 않았습니다: token-url 속성이 없습니다.',
  errors: {
    token_fetch_failed: '통화를 시작할 수 없습니다: 음성 서비스가 응답하지 않았습니다.',
    mic_permission_denied: '마이크 접근이 차단되었습니다. 이 사이트에 허용한 뒤 다시 시도하세요.',
    mic_not_found: '마이크를 찾을 수 없습니다. 마이크를 연결한 뒤 다시 시도하세요.',
    mic_in_use: '다른 앱이 마이크를 사용 중입니다. 그 앱을 닫고 다시 시도하세요.',
    mic_failed: '마이크가 작동을 멈췄습니다.',
    unsupported_environment: '이 브라우저에서는 음성 통화를 할 수 없습니다 (보안 https 페이지가 필요합니다).',
    sdp_rejected: '음성 서비스가 통화를 거부했습니다.',
    network_error: '네트워크 연결에 실패했습니다. 확인한 뒤 다시 시도하세요.',
    connect_timeout: '연결 시간이 너무 오래 걸렸습니다.',
    reconnect_failed: '통화가 끊겼고 다시 연결하지 못했습니다.',
    budget_exceeded: '이 통화가 비용 한도에 도달했습니다.',
    autoplay_blocked: '브라우저가 소리를 차단했습니다.',
  },
  states: {
    idle: '준비됨',
    connecting: '연결 중…',
    listening: '듣는 중',
    'user-speaking': '말하는 중',
    'assistant-speaking': '상담원이 말하는 중',
    muted: '마이크 꺼짐',
    reconnecting: '다시 연결 중…',
    ending: '통화 종료 중…',
    error: '문제가 발생했습니다',
  },
};

/** The built-in label sets, by primary language subtag. */
export const WIDGET_LANGUAGES: Readonly<Record<string, WidgetLabels>> = { en: EN, ko: KO };

/**
 * The labels for a BCP 47 tag (`ko`, `ko-KR`), matched by its primary
 * subtag; English when the language is not built in.
 */
export function labelsFor(lang: string | null | undefined): WidgetLabels {
  const primary = (lang ?? '').toLowerCase().split('-')[0] ?? '';
  return WIDGET_LANGUAGES[primary] ?? EN;
}
