/**
 * The phrase families the intent rules are made of, one group per intent: the wording people use in
 * real requests (TOPv2, SLURP, the issue's console session) generalised into regular expressions over the
 * normalized message. intents.ts decides between them.
 */

/** Things people keep on a calendar or have reminders for. */
const ITEMS =
  "(?:reminders?|alarms?|timers?|events?|meetings?|appointments?|calendar|schedule|agenda|alerts?|notifications?|plans?|tasks?|to-?dos?|entries|entry|bookings?)";
/** Other assistant domains: a verb aimed at these is not about reminders ("stop the music"). */
const MEDIA =
  "(?:music|songs?|tracks?|playlists?|podcasts?|audiobooks?|radio|station|lights?|lamps?|plugs?|volume|tv|video|videos|emails?|inbox|messages?|photos?|pictures?|facebook|twitter|uber|taxi|cab|order|app|wifi|bluetooth|chapter)";
export const OTHER_DOMAIN = new RegExp(
  `\\b(?:weather|forecast|temperature|play|song|music|radio|podcast|audiobook|news|headlines|taxi|uber|lights?|lamp|recipe|cook|order|deliver(?:ed|y)?|takeaway|translate|convert|definition|define|joke|stocks?|score|traffic|tickets?|trains?|flights?|hotels?|table|restaurants?|${MEDIA})\\b`,
);

/** Weather and sky: a question or request about them is not about reminders, unless it asks for one. */
export const WEATHER =
  /\b(?:weather|forecast|rain(?:s|ing|y)?|snow(?:s|ing|y)?|sunny|cloudy|humid(?:ity)?|storms?|stormy|thunder(?:storms?)?|hurricanes?|tornado|wind(?:y|s)?|temperature|degrees|umbrella|sunrise|sunset|pollen|fog(?:gy)?|hail|drizzle|freezing|chilly|heat ?wave|heat index|uv index|dew point|celsius|fahrenheit|how (?:hot|cold|warm|chilly))\b/;
/** Messages to other people are another assistant's job ("tell grandma dinner at 8", "text shayna …"). */
export const MESSAGE_TO =
  /^(?:please |can you |could you |would you |will you )?(?:(?:tell|text|message|msg|ask|inform|email|e-mail|dm|reply to|respond to|write to|alert|notify|warn)\b(?! me\b)|send (?!(?:me|an? (?:reminder|alarm|alert|notification|invite|invitation|calendar))\b)|let (?!me\b)[\w']+(?: [\w']+)? know\b)/;

export const RE_HELP =
  /^(?:help|help me|\?|commands|menu|info|usage|what can you do|what can i (?:say|ask|do)|what do you do|how does (?:this|it) work|how do i use (?:this|you|it|herald)|how do (?:i|you) (?:cancel|set|create|delete|make|add|snooze|pause) (?:a |an )?(?:reminders?|alarms?))(?: please)?$|^how (?:do|can|would) (?:i|you) (?:cancel|set|create|delete|make|add|snooze|pause|use|start|stop) (?:up )?(?:a |an |the |my )?(?:reminders?|alarms?|timers?)\b/;
export const RE_SNOOZE =
  /^(?:please |ok |okay )?(?:snooze|remind me again|again in|ping me again|nudge me again)\b|^(?:please )?(?:give me |just |ok |okay )?(?:another|\d+ more|a few more|a couple more|one more) (?:minutes?|mins?)\b|\bsnooze\b(?! (?:button|setting|option|sound|length))|^(?:silence|pause|hold|quiet|mute) (?:the |my |this |that )?alarms?(?: off)?(?: for| in)? \d/;
export const RE_PAUSE = new RegExp(
  `^(?:please |can you |could you )?(?:pause|mute|silence|suspend|hold|freeze)\\b(?! ${MEDIA}\\b)(?! (?:the |my )${MEDIA}\\b)|\\bput (?:my |all |all my |the )?${ITEMS} on hold\\b` +
    // A running timer stops and can go on again; cancelling it is "cancel" or "delete".
    `|^(?:please |can you |could you )?(?:stop|halt|freeze|quit|turn off|shut off|switch off)(?: (?:the|my|this|that|current|\\w+))* (?:timer|stopwatch|countdown|timing|time)\\b|^(?:timer|stopwatch) (?:pause|stop)\\b|^(?:quit|stop) timing\\b|^turn (?:the |my )?timer off\\b`,
);
export const RE_RESUME = new RegExp(
  `^(?:please |can you |could you |ok |okay )?(?:resume|unpause|unmute|reactivate|re-?enable|restart|resuming|continue(?=$| (?:the |my |this |that )?(?:timer|stopwatch|countdown|it|them|reminders|alarms)\\b)|turn (?:[\\w']+ ){0,3}back on)\\b(?! (?:my |the |this |that )?${MEDIA}\\b)` +
    `|^(?:please |can you |could you )?(?:start|turn on|begin)\\b.*\\b(?:timer|stopwatch|countdown)\\b.*\\bagain\\b|^(?:please )?reset (?:the |my )?(?:\\w+ )?timer$`,
);
export const RE_TZ = /\b(?:time ?zone|tz)\b/;
export const RE_TZ_NAME = [
  /\b(?:time ?zone|tz)(?: is| to| should be| as|:|=)? (?:now )?(?:set to )?([a-z_/+\- ]+?)$/,
  /\bi(?:'m| am) (?:now |currently )?(?:in|on|using) (?:the )?([a-z_/ ]+?)(?: time| time ?zone)?$/,
  /\bi (?:live|moved|relocated|have moved|am moving|just moved) (?:in|to) ([a-z_/ ]+?)$/,
  /\b(?:switch|change|set|use|go) (?:me )?(?:to )?([a-z_/ ]+?) time$/,
];

const CANCEL_VERB =
  "(?:(?:don't|dont|do not|no longer) (?:need|want)(?= (?:the|my|that|this|it|any|those|these)\\b)|(?:stop|quit|no need to|no need for) remind(?:ing|er)?(?: me)?|cancel|delete|remove|erase|clear|get rid of|scrap|scrub|scratch|unset|undo|disable|deactivate|dismiss|turn off|switch off|shut off|stop|kill|drop|make blank|blank|nevermind|never mind|forget (?:it|about)|(?:don't|dont|do not) remind me|no more|eliminate|terminate|destroy|disregard|halt|wipe|trash|ditch|discard|nix|axe|abort|void|call off)";
export const ABOUT_ITEMS = new RegExp(
  `\\b${ITEMS}\\b|\\b(?:it|that|this|them|all|everything|one|\\d+)\\b|\\bmy day\\b`,
);
export const LIST_ITEMS = new RegExp(
  `^(?:please )?(?:list|show)(?: me)?(?: all)?(?: of)? (?:my|the)\\b.*\\b${ITEMS}\\b`,
);
export const RE_CANCEL = new RegExp(
  `\\b${CANCEL_VERB}\\b|\\b(?:turn|switch|shut) (?:(?:my|the|this|that|all|all my|all the|\\w+'s) )*(?:alarms?|reminders?|timers?|notifications?|alerts?) off\\b|^(?:alarms?|reminders?) (?:off|stop)\\b|^(?:please )?(?:end|shut down|shut off|silence|quiet|be quiet) (?:(?:the|my|this|that) )?(?:alarms?|timers?|countdown)\\b|^(?:be )?quiet,? (?:alarm|timer)\\b`,
);
export const RE_CANCEL_MEDIA = new RegExp(
  `\\b${CANCEL_VERB} (?:(?:the|my|this|that|all|all my|all the) )?${MEDIA}\\b(?![\\w' ]*\\b(?:reminders?|alarms?|timers?|events?)\\b)`,
);
/** "I want the alarm terminated", "get that reminder deleted". */
export const RE_CANCELLED = new RegExp(
  `\\b(?:${ITEMS}|it|that|this|them)\\b[\\w' ]*\\b(?:terminated|deleted|removed|cancell?ed|gone|erased|cleared|turned off)\\b`,
);

/** An edit with its new time: "move the dentist one to 4pm", "make it 5", "change running to 6:30". */
export const RE_RESCHEDULE =
  /^(?:(?:actually|no|wait|sorry|oh|ok|okay|hmm|um|instead|and) )*(?:make (?:it|that)|change (?:it|that) to|move (?:it|that) to)\b|\b(?:move|reschedule|push|postpone|shift|delay|bump|modify|update|adjust|edit|correct|rectify|reset|switch)\b(?: [\w': ]*?)? (?:to|until|till|for|by|back to|forward to)\b|\b(?:change|make) (?:(?:it|that|this|them|my|the|all|all my|your)\b[\w': ]*? )?(?:to|until|till|for|by)\b|^(?:make it|change it to|move to|push to)\b|\breschedule\b|^(?:please |can you |could you )?change [\w'-]+(?: [\w'-]+){0,2} to\b|\b(?:changed|moved|rescheduled|pushed|shifted) to\b/;
/** An edit that names no new time yet: "change my alarm", "modify tuesday's alarm", "update that one". */
export const RE_EDIT_ITEM =
  /^(?:please |can you |could you |would you |can i |could i |may i |i need to |i want to |i'd like to |i would like to |let's |lets )*(?:change|modify|update|adjust|edit|correct|rectify|reschedule|move|shift|reduce|shorten|lengthen|extend|increase|decrease)\b(?: [\w':]+){0,4}? (?:reminders?|alarms?|timers?|events?|meetings?|appointments?|alerts?|it|that|this|one)\b|\b(?:make|move|set|push) (?:it|that|this|(?:my|the) [\w' ]+?) (?:earlier|later|sooner)\b|\badd (?:some )?(?:more|extra) time\b/;
/** Devices and settings a verb like "change" or "move" may aim at instead ("change the temperature to 70"). */
export const SETTINGS =
  /\b(?:temperature|thermostat|heat|heating|ac|air conditioning|volume|lights?|lamps?|brightness|music|songs?|playlist|radio|station|channel|tv|language|ringtone|sound|wallpaper|password)\b/;
/** What makes a shift-like phrase part of a new request ("remind me an hour later"). */
export const CREATE_BEFORE = /\b(?:remind|reminder|set (?:a|an|up|me)|create|new|alert me|wake me)\b/;

// "have an alarm go off at 6", "do an alarm for 8" are commands, not questions.
export const QUESTION_START =
  /^(?:do(?! an? )|does|did|have(?! an? )|has|is|are|am|was|were|will|any|anything|something|what|what's|whats|when|when's|which|how many|how much|how does|how do|how is|how long|at what time|is there|are there|where)\b/;
export const SCHEDULE_WORDS = new RegExp(
  `\\b(?:${ITEMS}|scheduled|booked|anything|any ?thing|anywhere|something|free|busy|going on|coming up|upcoming|on for|on tomorrow|on today|timings|set for|planned)\\b|\\bmy (?:day|morning|afternoon|evening|week|weekend|night)\\b|\\bwhat(?:'s| is) on\\b|\\b(?:do|have|got|did) i (?:have|got|set)\\b|^what time (?:do|did|am|is|are) (?:i|my)\\b|\\b(?:do|did) i (?:need|have) to be\\b|\\bam i (?:supposed|meant|due) to\\b`,
);
export const LIST_VERB =
  /^(?:please )?(?:can you |could you |would you )?(?:please )?(?:tell me|show me|show|list|read(?: out| me)?|give me|provide me|provide|check|display|open|let me know|remind me|what about|brief me|get(?: me)?|pull up|bring up|bring to the screen|(?:let me|i want to|i wanna|wanna|want to|i'd like to|i would like to|can i|could i|may i|i need to) (?:see|view|look at|check|review|know))\b.*\b(?:reminders|alarms|events|meetings|appointments|schedule|calendar|agenda|plans|alarm times?|timings|alerts|notifications|timers|next (?:alarm|meeting|appointment|event|reminder)|coming up|upcoming|planned|scheduled|what's on|what is on|what i have|what i've got)\b/;
/** "show alarm for tv shows at 8 pm", "let me see the details for the party reminder": one item shown. */
export const SHOW_ONE =
  /^(?:please )?(?:can you |could you )?(?:show(?: me)?|display|let me see|i want to see|wanna see|can i see|pull up|bring up)\b(?: (?:the|my|all|any|all my|the details for|the detail for|details of))?\b.*\b(?:reminder|alarm|event|meeting|appointment|timer)s?\b/;
/** How long is left on a running timer or until an alarm: "how much time is left", "is my 10 minutes up yet". */
export const TIME_LEFT =
  /\b(?:time|minutes|seconds|hours|timer|alarm) (?:is |are )?(?:left|remaining)\b|\bhow (?:much|many \w+)(?: \w+)* (?:left|remaining)\b|\b(?:time|timer|minutes|seconds) (?:is |are )?up\b|\bhow long (?:until|till|before|left)\b.*\b(?:alarm|timer|reminder)s?\b|\b(?:how long|how much time) is left\b/;
export const NOUN_PHRASE_LIST = new RegExp(
  `^(?:my|any|upcoming|pending|next|all|today's|tomorrow's|todays|tomorrows|this week's|the)\\b[\\w' ]*\\b(?:${ITEMS}|plan)$|^${ITEMS}$|^(?:reminders|alarms|events|appointments|meetings|timers)\\b(?! to\\b)`,
);
export const LOCAL_EVENTS = /\b(?:local|near|nearby|around here|in town|concerts?|festivals?|public)\b/;
/** Looking for things to do is a search, not a reminder ("help me find events for next weekend"). */
export const EVENT_SEARCH =
  /\b(?:find|search|look(?:ing)? for|recommend|suggest|things to do|what's happening|whats happening|what is happening|happening in|going on in|near me|in my area|nearby|tickets|shows? (?:playing|in)|playing at)\b/;
/** A sentence about oneself or the world, not a request: "i'm reading a good book", "it's 5 already". */
export const STATEMENT =
  /^(?:i|i'm|im|i am|i've|i was|i will|i'll|we|we're|we are|it|it's|its|there|this|that|he|she|they|you|my \w+ (?:is|was|are|has)|should|shall|can|could|would|will|how|why|who|what|when|where|which|is|are|do|does|did|if|whether)\b|\b(?:date|time|day) is it\b|\b(?:today'?s?|todays|the) date\b/;
/** Several events with no verb ask what there is ("friday events"), not to add one. */
export const PLURAL_EVENTS = /\b(?:events|meetings|appointments|parties|classes|sessions)\b/;

export const CREATE_STRONG =
  /\b(?:remind|reminder|reminders|reminded|alarms?|timers?|countdown|count down|stopwatch|wake me|wake up|wake (?:at|by|in)|get up|get me up|(?:need|have|got|want) to be up|alert me|notify|notification|ping me|nudge me|don't let me forget|do not let me forget|don't forget|(?:don't|dont|do not) want to forget|(?:can't|cannot|mustn't|must not|shouldn't) forget|(?:need|have) to remember|calendar|(?:set|create|add|make|new) (?:an? |my |the )?alerts?|send (?:an? |the )?(?:calendar )?(?:invite|invitation))\b|^(?:please )?(?:time (?:me|my \w+) for|set (?:the |my |a )?(?:\w+ )?time (?:for|to) \d)/;
export const CREATE_VERB =
  /\b(?:set|add|create|make|book|put|plan|arrange|organi[sz]e|block(?: off| out)?|mark|flag|write down|note|jot down|save|enter|new|need|want|fix|schedule)\b/;
export const EVENT_WORD =
  /\b(?:meetings?|appointments?|events?|entry|party|lunch|dinner|brunch|birthday|wedding|call|interview|conference|session|class|visit|holiday|vacation|trip|prayer|practice|standup|gym|marked)\b/;
/** Where a create request starts, to compare with where a cancel verb starts. */
export const CREATE_AT =
  /\b(?:remind|reminder|alarm|timer|wake me|wake up|get up|alert me|notify|notification|ping me|nudge me|don't let me forget|do not let me forget|don't forget|set|add|create|make (?!sure)|schedule|book|put)\b/;
export const CREATE_IMPERATIVE =
  /^(?:please |can you |could you |would you |will you |i want you to |i need you to )*(?:make a note|take a note|add|put|book|schedule|plan|create|write down|jot down|note down|note|mark|save|block off|block out|block|pencil in|reserve|hold)\b/;
export const SET_IT = /\b(?:set|add|save|schedule|put|note|mark|book) (?:it|this|that)\b/;
export const CREATE_SOFT =
  /\b(?:remember|text me|email me|e-mail me|message me|slack me|call me at|call me in|call me tomorrow|schedule (?:a|an|me|my|for|lunch|dinner|\w+ with))\b/;
/** "tell me", "let me know": a reminder only when a time comes with it ("tell me on tuesday to call jane"). */
export const CREATE_TELL =
  /\b(?:tell me (?:on|at|in|to|tomorrow|tonight|when|about)|let me know (?:at|on|in|the|tomorrow|tonight|about|when))\b/;
