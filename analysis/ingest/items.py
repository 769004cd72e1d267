"""Which element a survey question measures, and whether it is worded negatively (agreeing means
the mentor does the opposite). Read from the question's wording with cue patterns per element, in
the voices real instruments use ("My mentor ...", "I ... my mentee"), with negation handled. Where
the wording does not point at one element, or points at the programme, the platform or the
mentor's expertise instead, the question is left unmapped and the reason is given: never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.model import ELEMENTS

# Whoever the item is about: the respondent (mentee view) or the mentee (mentor's self-view).
_ME = r"(?:me|us|you|(?:my|your|the) mentees?|mentees?|them|him|her)"
_MY = r"(?:my|your|our|their|his|her|the mentee'?s|mentees'?|my mentee'?s|your mentee'?s)"
_ACT = r"(?:decide|choose|determine|figure out|work out|plan|set|pick|find)"

# Phrases that only look like an element (training topics, job titles, products): removed first.
_TRAPS = re.compile(
    r"risk (?:register|assessment|management|matrix|training|model|report|appetite|log|review|"
    r"committee|officer|score)|(?:credit|operational|market|compliance|security|financial|"
    r"health and safety) risks?|e-?learning|learning (?:portal|platform|management|module|"
    r"budget|hub|system|path(?:way)?s?|resources?|catalog(?:ue)?|and development|& development|"
    r"materials?|content|app)|(?:customer|client|supplier|vendor|investor|public) relations(?:hips?)?|"
    r"relationship (?:manager|management|with (?:hr|human resources|the (?:programme|program) "
    r"(?:team|office)))|\bcrm\b|zero[- ]trust|trust (?:fund|account|deed|and safety|& safety|"
    r"score)|trustee|stretch (?:goal )?targets? for (?:sales|revenue)|"
    # rapport with the mentor is not the relationship element (how work and people are handled)
    r"(?:good|great|strong|positive|close|solid|excellent|warm|friendly|trusting) (?:working )?"
    r"relationship with (?:my|the|our|their) (?:mentor|mentee)"
)
# Questions about the programme, the platform or logistics, outcomes, the mentor's expertise or
# availability, or the respondent: they measure none of the four elements.
_NOT_ELEMENT = re.compile(
    r"\b(?:programme|program|platform|portal|app|application|software|website|tool|system)\b|"
    r"\brecommend|\blikely\b|\bsatisf|\boverall\b|\bschedul|\bcalendar|\bmatch(?:ed|ing|es)?\b|"
    r"\blogistic|\bexpert|\bknowledge(?:able)?\b|\btechnical\b|\bavailab|\bresponsive|"
    r"\bpunctual|\bon time\b|\bfriendly\b|\bapproachable\b|\bpromot(?:ed|ion)\b|\bsalary\b|"
    r"\bpay rise\b|\bpay raise\b|\btenure\b|\bhow long\b|\bhow many\b|\bhow often do you\b|\bage\b|"
    r"\bgender\b|\bjob title\b|\bdepartment\b|\bworth (?:the|my) time\b|\bvalue for\b|\bnps\b|"
    r"\bresources provided\b|\btraining (?:was|provided|sessions? (?:was|were))\b|\bscheme\b"
)
_NEGATORS = re.compile(
    r"\b(?:not|never|rarely|seldom|hardly|barely|no|nor|without|fails? to|refuses? to|"
    r"unwilling to|reluctant to|avoids?|won'?t|doesn'?t|don'?t|didn'?t|isn'?t|aren'?t|can'?t|"
    r"cannot|instead of|rather than|little|lacks?|discourag\w*|prevents?|stops? (?:me|you|them) "
    r"from|talk(?:s|ed)? (?:me|you|them) out of|ignor\w*|skips?(?: over)?|advis\w* (?:me |you |"
    r"them )?against)\b|n't\b"
)
# Someone other than the mentor is the subject: "My manager encourages me to take risks".
_SOMEONE_ELSE = re.compile(
    r"^(?:(?:my|our|the) )?(?:manager|boss|line manager|team lead|supervisor|team|colleagues|"
    r"peers|organi[sz]ations?|company|leaders|leadership|hr|human resources|programme team)\b|"
    r"\b(?:previous|former|old|last|earlier|prior|other) mentors?\b"
)
# The mentee's or the mentor's own conduct, opinions about mentoring in general, and trust in
# the sense of discretion are not how the mentor mentors.
_NOT_MENTORING = re.compile(
    r"^(?:my|the|your) mentee (?!and i\b)|\bshould\b|\b(?:in|for) (?:their|his|her) own "
    r"(?:career|work|job|projects?|role)\b|\btrusts? (?:me|you|them) with (?:confidential|"
    r"sensitive|personal|private|secrets?)"
)
_PAYING_FORWARD = re.compile(
    r"\b(?:coach|coaching|mentor|mentoring|support|supporting|teach|teaching|train|training)\w* "
    r"(?:\w+ ){0,2}(?:junior|new|other|younger|two|a few)\w*\b|\bpay(?:s|ing)? it forward"
)
# The respondent's own plans and wishes describe no behaviour of the mentor's.
_WISH = re.compile(
    r"\b(?:i|we)(?:'d| would) (?:like|love|prefer)\b|\b(?:i|we) (?:plan|intend|hope|wish|want)\b"
)

# element -> (cues where agreeing is favourable, cues where agreeing is the opposite). A cue is a
# pattern, or (pattern, 1) for a weak cue that alone does not settle the element: a question is
# mapped only on a weight of 2 or more ("My mentor challenges me" stays unmapped).
Cue = str | tuple[str, int]
_CUES: dict[str, tuple[list[Cue], list[Cue]]] = {
    "trust": (
        [
            rf"\btrust(?:s|ed|ing)? {_ME}\b",
            rf"\btrusts? {_MY} (?:judg|decision|abilit|competence|instinct|call)",
            rf"\b(?:confiden(?:ce|t)|faith|belief) (?:in|that) (?:{_ME}|{_MY}|i|they|he|she)\b",
            (rf"\bbelieves? (?:in|that) (?:{_ME}|{_MY}|i|they|he|she)\b", 1),
            r"\b(?:freedom|latitude|autonomy|autonomous|discretion|leeway|independen\w*|free hand|"
            r"free rein)\b",
            (r"\b(?:room|space) (?:to|for)\b", 1),
            rf"\b{_MY} own (?:way|approach|decisions?|judg\w*|methods?|pace|solutions?|path|"
            r"conclusions?|choices?|plans?|style)",
            rf"\b(?:let|lets|letting|allow|allows|allowing|leave|leaves|leaving) {_ME} "
            r"(?:to )?(?:just )?(?:decide|choose|run|lead|handle|own|take|figure|make|work|determine|"
            r"set|manage|find|organi[sz]e|finish|plan|do (?:it|things|the work)|get on)",
            r"\b(?:leave|leaves|left|leaving) (?:it|things|this|that|the rest) (?:up )?to (?:me|you|them|"
            r"my mentee|the mentee)\b|\b(?:is|are) left (?:up )?to (?:me|you|them|my mentee)\b",
            r"\bstays? out of (?:the|my|their|your) way\b|\bhands? (?:\w+ )?(?:over|off)\b|"
            r"\bproblems? to solve\b",
            r"\b(?:ok|okay|fine|comfortable|happy) with (?:me|you|them|my mentee) doing (?:things|it) "
            r"(?:differently|my way|their way|in my own way)",
            r"\b(?:organi[sz]e|plan|handle|manage|decide|choose|work out) (?:\w+ ){0,3}(?:myself|"
            r"themselves|himself|herself|yourself)\b",
            (r"\b(?:my|their|his|her|your) way\b", 1),
            rf"\b{_ACT} (?:for (?:myself|themselves|himself|herself)|on {_MY} own|the approach|"
            r"how (?:to|i|they|he|she|we))",
            r"\bownership\b|\bown(?:s)? the (?:work|project|outcome|result|task|decision)",
            r"\bdelegat",
            r"\b(?:results?|outcomes?|goals?|targets?|objectives?|expectations?|what (?:is|done|"
            r"success|good) (?:needed|looks like))\b.{0,60}\b(?:deadlines?|timelines?|due dates?|by "
            r"when|a date|the date|when it'?s due|when (?:it|they) (?:is|are) due)\b",
            r"\b(?:leave|leaves|left|leaving) the how\b",
            r"\bsteps? back\b|\bstepping back\b|\bhands?[- ]off\b",
            r"\bwithout (?:checking|interfer\w*|micro-?manag\w*|second-guess\w*|hovering|"
            r"constant (?:check|supervis|oversight)|supervision|oversight|looking over|"
            r"being told how|stepping in|taking over|(?:your |my |their )?(?:sign-?off|approval|"
            r"permission))",
            rf"\b(?:rel(?:y|ies)|count|counts|depend|depends) on (?:{_ME}|{_MY} (?:judg\w*|"
            r"decisions?|expertise|view|call))\b",
            r"\bleaves? (?:a |the |all |major |big |important )?(?:decisions?|calls?|choices?) "
            r"(?:\w+ )?(?:up )?to (?:me|you|them|my mentee|your mentee|the mentee)\b",
            r"\bup to (?:me|you|them|my mentee|your mentee|the mentee)\b|\b(?:my|your|their|the "
            r"mentee'?s|mentee'?s|his|her) (?:call|decision)\b",
            (r"\bon (?:my|your|their|his|her) own\b", 1),
            r"\btrusted (?:to|with)\b",
            (r"\bresponsibility for\b|\baccountable for (?:the )?(?:results?|outcomes?)", 1),
            r"\b(?:doesn'?t|does not|don'?t|do not|never) (?:micro-?manage|hover)",
            r"\b(?:final say|the call|the decision|decisions?) (?:is|are|stays?|rests?|remains?|"
            r"lies?) (?:mine|theirs|with (?:me|them|my mentee|the mentee))\b",
        ],
        [
            r"\bmicro-?manag",
            r"\b(?:need|needs|require|requires|has to|have to|must)\b.{0,25}\b(?:sign-?off|approval|"
            r"approved|permission)\b|\b(?:be |been )?approved by (?:my|the|your) mentor\b",
            r"\b(?:needs?|wants?|asks?) to see (?:my|all|every|each|your) (?:drafts?|work)\b",
            r"\binsists?\b.{0,30}\b(?:(?:their|his|her|my) (?:own )?way|done)\b|\bstep-by-step "
            r"instructions\b|\bto the letter\b|\bre-?check\w*|\b(?:copied|cc'?d) on\b",
            r"\bdoubts? (?:my|their|your|his|her) (?:abilit\w*|competence|judg\w*)",
            r"\b(?:little|no) (?:margin|room|leeway|latitude) (?:of|for|to) manoeuvre\b",
            r"\bhover",
            r"\b(?:checks?|checking|reviews?|reviewing|monitors?|monitoring|approves?|inspects?|"
            r"scrutini[sz]es?|corrects?|edits?|goes over|looks? over|go over)\b.{0,30}\b(?:every|"
            r"each|all of|closely|constantly|in detail|before (?:it|i|they|anything)|(?:so |too )"
            r"(?:often|frequently|closely))\b",
            r"\b(?:checks?|checking) (?:in |up )?on\b.{0,30}\b(?:often|frequently|constantly)",
            rf"\blook(?:s|ing)? over {_MY} shoulder|\bbreath(?:es|ing)? down {_MY} neck|\bbeing watched|"
            rf"\bwatch(?:es)? (?:over )?{_ME} (?:closely|constantly)",
            r"\breport(?:ing)? back\b.{0,40}\b(?:more often|too often|constantly|every)",
            r"\b(?:more|too) (?:often|frequently|closely) than (?:the work|needed|necessary|"
            r"required)|\bmore \w+(?: \w+)? than (?:the work|needed|necessary|required|the task)",
            r"\b(?:mentor|he|she|they) makes? (?:all )?the (?:final )?(?:call|decisions?)\b",
            rf"\btells? (?:{_ME}) (?:exactly|precisely|step by step) (?:how|what)",
            r"\bdictat|\bprescrib|\bsecond[- ]?guess(?:es|ing)? (?:me|my|you|your|them|their|every|"
            r"each|nearly|all|most|the)\b",
            r"\btakes? (?:it |things )?over\b(?! responsibility| the lead| ownership)|\b(?:step|steps|"
            r"stepping|stepped) in\b|\bredo(?:es)?\b|\btakes? (?:it|them) back\b|"
            r"\brewrites?\b|"
            r"\bdoes (?:it|the work) (?:himself|herself|themselves|myself)",
            r"\b(?:constant|frequent|daily|hourly|continuous) (?:updates|check-?ins|status|"
            r"reports|supervision|oversight)",
            r"\b(?:needs?|wants?|insists? on|expects?) (?:to )?(?:approve|sign off|see|check) "
            r"(?:every|each|all|everything)",
            r"\bcontrolling\b|\bcontrols? (?:every|each|how|the details|all)",
            r"\b(?:(?:doesn'?t|does not|don'?t|do not|never|won'?t) trust)\b",
            r"\b(?:decisions?|the call|final say)\b.{0,40}\b(?:stays?|rests?|remains?|lies?) with "
            r"(?:my mentor|the mentor|him|her)\b",
        ],
    ),
    "risk": (
        [
            r"\bstretch",
            r"\b(?:take|taking|takes|took) (?:on )?(?:a |calculated |smart |sensible |more )?risks?\b",
            r"\brisk-?taking\b",
            (r"\brisks?\b|\brisky\b", 1),
            r"\bcomfort zone",
            (rf"\bchalleng\w* (?:{_ME}|myself|themselves)\b", 1),
            r"\bchalleng\w* (?:assignments?|work|goals?|tasks?|projects?|roles?|opportunit\w*)",
            r"\b(?:doubt\w*|unsure|not sure|never thought|didn'?t think|did not think|afraid|"
            r"nervous|scared|intimidat\w*)\b.{0,40}\b(?:could|can|able|capable|ready)\b",
            r"\b(?:could|can|able|capable|ready)\b.{0,30}\b(?:doubt\w*|unsure)\b",
            rf"\b(?:push|pushes|pushed|pushing|nudges?|nudged|spurs?|urges?|urged|dares?) "
            rf"(?:{_ME}|myself)\b",
            rf"\bencourag\w* (?:{_ME} )?(?:to )?(?:try|take on|apply|go for|volunteer|lead|"
            r"attempt|pursue|aim|step up|put (?:myself|themselves|himself|herself) forward|"
            r"experiment|tackle)",
            r"\b(?:new|unfamiliar|bigger|harder|hard|difficult|ambitious|demanding|high-profile|"
            r"high-stakes|visible|tough|larger) (?:things|challenges?|roles?|responsibilit\w*|"
            r"assignments?|projects?|tasks?|goals?|problems?|opportunit\w*|areas?|audiences?)\b",
            r"\bmore (?:demanding|challenging|difficult|senior|complex|ambitious|visible)\b",
            r"\bthan (?:i|they|he|she|we)(?:'m| am| are|'re| is)?(?: feel| felt)? (?:used to|"
            r"comfortable|normally|ready|would (?:have )?on (?:my|their|his|her) own)",
            r"\bbold\w*\b|\bbrave\w*\b|\bcourage\w*\b|\baim higher\b|\bbeyond (?:my|their|his|her) "
            r"(?:current|comfort|experience|abilit\w*|role|level|scope)",
            r"\b(?:volunteer\w*|sponsor\w*|nominat\w*|put (?:me|them|him|her|my mentee) forward|"
            r"puts? (?:me|them|him|her|my mentee) (?:up )?for)\b",
            r"\b(?:backs?|backed|backing|stands? behind|supports?|supported|has my back)\b.{0,40}"
            r"\b(?:try|tries|trying|attempt\w*|risks?|fail\w*|stretch\w*|new|unfamiliar|bold|take "
            r"(?:them|it) on)",
            r"\bsafe to (?:fail|try|experiment)|\bok(?:ay)? to fail",
            rf"\bput(?:s|ting)? (?:my name|{_ME}|your name|their name) forward\b|\bgo for (?:it|"
            r"opportunit\w*|roles?|the role|a promotion|promotion|the job)\b",
            r"\bappl(?:y|ying|ied) for (?:a |the )?(?:\w+ )?(?:role|job|position|promotion|"
            r"programme|secondment)",
            r"\b(?:big |a )?step[- ]?ups?\b|\bbig (?:step|jump|leap)\b|\bnever (?:done|tried|led) "
            r"before\b|\bfor the first time\b|\bunfamiliar territory\b|\bnew territory\b",
            r"\b(?:doubt|doubts|doubted) (?:myself|themselves|himself|herself|yourself)\b",
            r"\beven (?:though|if|when) (?:i|they|he|she|you)\b.{0,25}\b(?:nervous|unsure|scared|"
            r"afraid|not ready|doubt\w*|not sure|might (?:not|fail)|fail)",
            rf"\bchalleng\w* {_ME} to (?:lead|take|try|present|run|own|apply|do)\b",
            r"\b(?:difficult|hard|tough|challenging) for (?:me|them)\b|\b(?:i|they) find "
            r"(?:difficult|hard|challenging)\b",
            r"\b(?:say yes to|take on|accept|tackle)\w* (?:\w+ )?challenges?\b",
            (r"\bscar(?:e|es|y|ed)\b|\bdaunting\b|\bvisib(?:le|ility)\b|\bexecutive\b", 1),
            (r"\b(?:no|without) (?:prior )?experience\b", 1),
            r"\bdevelopmental (?:assignments?|opportunit\w*|roles?|projects?)|\bleap\b",
            rf"\btalk(?:s|ed)? {_ME} into\b|\b(?:stand|stands|stood|standing) (?:by|behind) {_ME}\b",
            r"\buncertain (?:outcomes?|results?)|\bsomething (?:ambitious|new|bigger|harder|"
            r"difficult|unfamiliar|bold)|\bbeyond (?:me|them|my mentee)\b",
        ],
        [
            r"\bplays? (?:it )?safe\b|\bplaying (?:it )?safe\b|\b(?:safe|secure)\b(?:,? [\w-]+){0,2} "
            r"(?:tasks|work|assignments|projects|options?|choices?|bets|roles)\b",
            r"\bwait(?:ing)? until\b|\bhold(?:s|ing)? off\b|\bmore ready\b|\btoo big\b|"
            rf"\bmakes? {_ME} (?:second[- ]?guess|doubt)\b|\bnot (?:to )?expose\b|\badvis\w* "
            rf"(?:{_ME} )?against\b",
            r"\blow-(?:profile|visibility|stakes|risk)\b",
            rf"\bdiscourag\w*|\btalk(?:s|ed)? {_ME} out of|\bholds? {_ME} back|\bhold(?:ing)? back\b",
            rf"\btells? {_ME} to wait|\bwait(?:ed)? until (?:i'?m|i am|they'?re|they are|he is|"
            r"she is)(?: fully)? ready",
            rf"\bshields? {_ME}|\bprotects? {_ME} from|\bkeeps? {_ME} (?:away from|on|in)\b",
            r"\b(?:keeps?|gives?|assigns?|sticks?|stays?|limits?|only)\b.{0,25}\b(?:easy|routine|"
            r"familiar|simple)\b",
            r"\bstick (?:with|to) (?:what|work|tasks|things)\b.{0,30}\bknow|\balready know how\b",
            r"\bnot (?:yet )?ready (?:for|to)\b|\btoo (?:risky|soon|early|ambitious)\b",
            r"\bcautious\b|\brisk-?averse\b",
            rf"\bsteers? {_ME} (?:away|clear)|\b(?:away|clear) from (?:anything|assignments|tasks|"
            r"work|projects|roles)\b",
        ],
    ),
    "learning": (
        [
            (r"\blearn(?:ed|ing|t|s)?\b", 1),
            r"\blearn(?:ed|t|ing|s)? from\b",
            r"\bturn\w* (?:setbacks?|mistakes?|failures?|errors?) into\b",
            r"\b(?:review|discuss|go through|talk through|unpack|analy[sz]e)\w* (?:\w+ )?"
            r"(?:setbacks?|mistakes?|failures?|errors?)\b",
            r"\blessons?\b|\btake-?aways?\b|\btake from (?:it|that|them)\b",
            r"\bdebrief|\bpost-?mortem|\bretrospective|\bretros?\b|\bafter-action|\blooks? back|"
            r"\blooking back|\breflect\w*",
            r"\b(?:do|done|did|handle|approach|tackle) (?:it |things |that )?differently\b|"
            r"\bdifferently next time\b|\bnext time\b|\bwould (?:change|improve)|\b(?:what|things) "
            r"(?:i|we|they|he|she)(?:'d| would| could| might) change",
            r"\b(?:reasons?|causes?) (?:behind|for|of)\b|\broot causes?\b|\bunderstand (?:the )?"
            r"(?:causes|why)\b",
            (
                r"\b(?:mistakes?|failures?|setbacks?|errors?|went wrong|go(?:es)? wrong|fell short|"
                r"missteps?)\b",
                1,
            ),
            r"\bblame-?free|\bblameless|\bwithout (?:\w+ ){0,3}(?:blame|judg\w*|criticism|"
            r"finger-?pointing|fault)|"
            r"\bno (?:blame|finger-?pointing)|\bnon-?judg\w*|\b(?:doesn'?t|does not|never) judge",
            r"\bwhat went (?:well|wrong|badly)|\bwhat (?:didn'?t|did not) (?:go|work)|"
            r"\bwhat worked\b|\bwhy it (?:worked|failed|went)",
            r"\b(?:successes?|wins?|went well|goes well|worked well)\b.{0,50}\b(?:why|what made|"
            r"discuss\w*|review\w*|understand|unpack)",
            r"\b(?:why|what made)\b.{0,40}\b(?:worked|went well|succeeded|work)\b",
            r"\b(?:review|discuss|go through|talk through|talk about|unpack|analy[sz]e|look at)"
            r"\w* (?:what happened|what went)\b|\bwhat happened and why\b",
            r"\breview\w* (?:completed|finished|past) (?:work|projects?|assignments?)",
            r"\b(?:go|goes|going|went|walk|walks) (?:over|through)\b.{0,30}\b(?:wins?|successes?|"
            r"mistakes?|setbacks?|failures?|what (?:happened|went))",
            r"\bunpack\w*\b|\b(?:things )?go well\b.{0,40}\bwhy\b",
            r"\bgrowth opportunit|\bchances? to (?:learn|grow|improve)|\blearning opportunit",
        ],
        [
            r"\bblam(?:e|es|ed|ing)\b|\bculprit|\bscapegoat|\bthe responsible (?:one|person)|\bwho "
            r"(?:is|was) responsible\b",
            r"\btell\w* (?:me|you|them|him|her) off\b|\btold (?:me|you|them|him|her) off\b|\bleave "
            rf"it at that\b|\btell\w* {_ME} what (?:i|they|you|he|she) did wrong\b",
            r"\b(?:scared|afraid|nervous|worried|ashamed) (?:to|of)\b.{0,30}\b(?:tell|admit|share|"
            r"mention|mistakes?|mess(?:ed)? up|fail\w*)",
            r"\bcriticis|\bcriticiz|\bpunish|\bscold|\breprimand|\bfault-?finding|\bwho (?:is|was) "
            r"(?:at fault|to blame)|\bwhose fault|\bat fault\b",
            (
                r"\b(?:gets?|becomes?|is) (?:angry|annoyed|upset|frustrated|irritated|impatient)\b",
                1,
            ),
            r"\bholds? (?:it|mistakes|errors|that) against",
            r"\b(?:treats?|sees?|regards?|views?) (?:my |their |his |her )?(?:mistakes|errors|"
            r"setbacks) as (?:failures?|personal)",
            r"\bmoves? (?:straight )?on (?:without|to the next)|\bskips? (?:the )?(?:debrief|review|"
            r"retrospective)",
        ],
    ),
    "relationship": (
        [
            (r"\brelationships?\b", 1),
            r"\b(?:how|the way) (?:i|we|they|he|she|you|my mentee|the mentee|your mentee)(?:'m|'re| "
            r"am| is| are)? (?:get(?:s|ting)? on|work(?:s|ing)?|collaborat\w*|interact\w*|deal(?:s|ing)?|get(?:s|ting)? "
            r"along|communicat\w*|handl\w*|run(?:s|ning)?|manag\w*|relat\w*|lead(?:s|ing)?|"
            r"approach\w*)",
            (
                r"\b(?:other people|colleagues?|peers?|stakeholders?|teammates?|team members?|"
                r"co-?workers?|people around|cross-functional|my manager|their manager|"
                r"line manager|with others)\b",
                1,
            ),
            r"\bworking relationships?\b|\bpeople side\b|\bhuman side\b|\binterpersonal\b|"
            r"\b(?:manner|way) of (?:collaborat\w*|working|communicat\w*|interact\w*)|"
            r"\bcommunication style\b|\bhow (?:it|i|they) (?:lands?|comes? across)\b|\bfeedback to "
            r"(?:a |my |their )?(?:peer|colleague|manager|team)",
            r"\b(?:our|the) mentoring\b.{0,20}\b(?:suitable|working|useful|helpful|right for)\b|"
            r"\b(?:way|format|style) of (?:our|the) mentoring\b|\bwhat'?s (?:working|useful)\b.{0,40}"
            r"\b(?:our|the) (?:sessions|mentoring|meetings)\b",
            r"\bmentee of (?:my|their|his|her) own\b|\btake on a mentee\b",
            r"\bstakeholder management\b|\bmanaging stakeholders\b|\bnetworking\b|\boffice "
            r"politics\b|\bnavigat\w* (?:the )?(?:organi[sz]ation|politics)|\bdifficult "
            r"conversations?\b|\bconflicts?\b|\bfriction\b|\btensions?\b|\bdisagreements?\b",
            r"\bhow to (?:handle|work with|deal with|manage|approach|navigate|influence)\b.{0,30}"
            r"\b(?:people|colleagues|stakeholders|team|manager|conversations|relationships?)\b",
            r"\b(?:how|the way) (?:it|the work|things) (?:is|are|gets|get) (?:being )?done\b",
            r"\bhow (?:i|you|they|my mentee|your mentee) feels? about (?:our|the|these|your) "
            r"(?:meetings|sessions|mentoring)|\bwhat (?:should|could|can) we (?:change|improve)",
            r"\b(?:team|office|organi[sz]ational|workplace|stakeholder|group|people|power) "
            r"(?:dynamics|politics|culture)",
            r"\bhow (?:the |our |this )?(?:mentoring(?: relationship| partnership| sessions?| meetings?)?|sessions?|"
            r"meetings?|partnership|collaboration|relationship) (?:is|are) (?:going|working)|"
            r"\bhow things are going\b",
            r"\b(?:our|the) mentoring (?:itself|process)\b",
            (r"\b(?:our|the) mentoring (?:relationship|partnership)\b", 1),
            (
                r"\b(?:not just|not only|as well as|beyond|rather than (?:just|only)|in addition "
                r"to|along with)\b.{0,20}\b(?:tasks?|results?|outcomes?|deliverables?|content|"
                r"the work|what (?:i|we|they) (?:do|deliver))\b",
                1,
            ),
            r"\b(?:how|the way) (?:the )?work (?:gets|is) done|\bhow (?:i|they|he|she|we) "
            r"(?:get|got|arrive) there\b",
            (r"\bprocess\b", 1),
            r"\bpay(?:s|ing)? it forward|\b(?:mentor|mentoring|coach|coaching|support|supporting|"
            r"help|helping|teach|teaching|guide|guiding)(?: or \w+)? others\b|\bnext generation|"
            r"\bbring(?:ing)? (?:others|people) along|\bmentor (?:someone|junior|new)|"
            r"\bpass(?:es|ing)? on what|\bgive back\b|\bgiving back\b|\bin turn\b",
            r"\bhow (?:i|they|he|she|my mentee) (?:am|is|are|'m) (?:doing|feeling|coping|getting on)",
            (r"\bwell-?being\b", 1),
            r"\b(?:agree\w*|set|discuss\w*|talk\w* about|decided?|work\w* out)(?: \w+){0,3} (?:on )?"
            r"(?:(?:how|when|"
            r"where|how often)(?: and (?:how|when|where|how often))? (?:we|to)(?: would| will| "
            r"should| can)? (?:meet|work together)|ground rules|(?:a |our |the )?(?:meeting )?"
            r"(?:cadence|rhythm|ways of working|working agreement)|expectations for (?:our|the) "
            r"(?:mentoring|sessions|meetings))",
            r"\b(?:feedback|input) (?:on|about) (?:our|the|their|my) (?:mentoring|sessions|meetings)",
        ],
        [
            r"\bonly (?:(?:ever|really) )?(?:talks?|speaks?|discuss\w*|focus\w*|cares?|asks?|wants? to "
            r"(?:talk|discuss|hear)|interested|about|on|cover|covers|deal with|deals with|look at|"
            r"looks at|go through|goes through|concern|concerns)\b (?:about |on |in |of )?(?:the )?"
            r"(?:status|tasks?|results?|deliverables?|numbers|output|targets?|deadlines|what|my "
            r"(?:tasks|work|results|numbers|deadlines))",
            r"\bfocus\w* (?:only|exclusively|solely|purely|just) on (?:the )?(?:content|tasks?|"
            r"results?|deliverables|outcomes?|numbers|deadlines)",
            r"\b(?:mostly|mainly|largely|just|only|purely|nothing but) (?:a )?(?:status|task)\b|"
            r"\band (?:that'?s it|nothing (?:else|more)|little else)\b|\bwaste of time\b",
            (r"\bstatus (?:updates?|reports?|checks?)\b|\btask lists?\b", 1),
            r"\b(?:status (?:updates?|reports?)|tasks?|deliverables|results)\b.{0,20}\b(?:little|"
            r"nothing) else\b|\b(?:are|is|were|was|stay|stays|remain|feel|feels) (?:just |only |nothing "
            r"but |purely )?(?:status|task|transactional)\b(?! list)|\btreats? (?:our |the )?"
            r"(?:sessions|meetings|mentoring) as (?:status|task|a checklist|box-ticking)",
            r"\b(?:sessions|meetings|conversations|time together)\b.{0,20}\b(?:focus\w*|centred|"
            r"centered) (?:\w+ )?on (?:the )?(?:tasks?|task progress|progress|status|deliverables|"
            r"results)",
            r"\btreats? (?:our |the )?(?:sessions|meetings|mentoring) as (?:just |only |merely )?(?:a )?"
            r"(?:status|task|checklist|box-ticking)",
            (
                r"\b(?:cancel\w*|postpone\w*|skips?|reschedul\w*) (?:\w+ )?(?:of )?(?:our |the )?"
                r"(?:sessions|meetings|check-?ins)",
                1,
            ),
        ],
    ),
}


def _compile(cues: list[Cue], strong: int) -> list[tuple[re.Pattern[str], int]]:
    """Strong cues first, so a weak cue never takes the words a strong one needs."""
    weighted = [(cue, strong) if isinstance(cue, str) else cue for cue in cues]
    return [(re.compile(p), w) for p, w in sorted(weighted, key=lambda pw: -pw[1])]


# A cue for the opposite outweighs a favourable one beside it: "tells me it is too early to try
# the bigger projects" is about holding back, whatever the bigger projects are.
_COMPILED = {
    element: (_compile(shown, 2), _compile(opposite, 3))
    for element, (shown, opposite) in _CUES.items()
}


@dataclass(frozen=True)
class ItemSuggestion:
    """element None = leave unmapped; `why` says in words why (or why not)."""

    element: str | None
    reversed: bool
    why: str


def _normalise(text: str) -> str:
    lowered = text.casefold().replace("’", "'").replace("‘", "'")
    lowered = re.sub(r"\s+", " ", lowered)
    # "I resist the urge to check" is "I do not check"; "I don't make time to review" is
    # "I don't review": bring the negation next to what it negates.
    lowered = re.sub(r"\bresist(?:s|ed|ing)? (?:the )?(?:urge|temptation) to\b", "do not", lowered)
    lowered = re.sub(r"\b(?:make|makes|find|finds|take|takes) (?:the )?time to\b", "", lowered)
    lowered = re.sub(r"\b(?:feel|feels) (?:the |any )?(?:need|urge) to\b", "", lowered)
    lowered = re.sub(
        r"\b(?:no|little|not enough|never any) time (?:set aside |made |taken |given )?(?:to|for)\b",
        "not",
        lowered,
    )
    # Double negatives read plainly; "it is rare that X" is "X rarely"; "it's not true that X"
    # is "not X"; what a mentor "used to" do before "now" is no longer their behaviour.
    lowered = re.sub(r"\bnot (?:unusual|uncommon|infrequent)\b", "usual", lowered)
    lowered = re.sub(r"\bit(?:'s| is) (?:rare|unusual|uncommon) (?:that|for)\b", "rarely", lowered)
    lowered = re.sub(r"\bit(?:'s| is|isn't| is not) (?:not )?true that\b", "not", lowered)
    lowered = re.sub(r"\bused to\b[^;.]*?\b(?:but|now)\b", "", lowered)
    lowered = re.sub(r"\bwould rather\b(.*?)\bthan\b", r"\1 instead of", lowered)
    # "never fails to check" is "checks"; "doesn't let my doubts stop me from trying" is "trying";
    # "only stepping in if I ask" does not make the rest of the sentence about stepping in.
    lowered = re.sub(
        r"\b(?:never|doesn'?t|does not|don'?t|do not) (?:fails?|forgets?) to\b", "", lowered
    )
    lowered = re.sub(
        r"\b(?:doesn'?t|does not|don'?t|never|won'?t) let\b.{0,40}?\bstop (?:me|you|them|him|her) "
        r"from\b",
        "",
        lowered,
    )
    lowered = re.sub(r"\bonly (?:step|steps|stepping) in (?:if|when)\b", "if", lowered)
    return _TRAPS.sub(" ", lowered)


def _negated(text: str, start: int) -> bool:
    """An odd number of negators among the five words before the cue, in the same clause, reverses what the cue
    says ("never asks what I learned"); "not just" and "not only" do not ("not just failures")."""
    window = re.split(r"[,;:.!?]| but | and | while | though ", text[:start])[-1]
    words = re.sub(_NOT_JUST, " ", " ".join(window.split()[-5:]))
    # Two negators cancel: "does not ignore how I work with others".
    return len(_NEGATORS.findall(words)) % 2 == 1


_NOT_JUST = r"\b(?:not|n't|doesn'?t|don'?t|didn'?t) (?:just|only|merely)\b"


def _more_than(text: str, start: int) -> bool:
    """ "Not just X" says there is more than X: X reads favourably whatever X is."""
    window = re.split(r"[,;:.!?]", text[:start])[-1]
    return bool(re.search(_NOT_JUST, " ".join(window.split()[-5:])))


def _score(text: str) -> dict[str, tuple[int, int]]:
    """Per element: (weight of cues that read favourable, weight of those that read opposite)."""
    found: dict[str, tuple[int, int]] = {}
    for element in ELEMENTS:
        shown_patterns, opposite_patterns = _COMPILED[element]
        favourable = opposite = 0
        taken: list[tuple[int, int]] = []
        for patterns, reads_favourable in ((opposite_patterns, False), (shown_patterns, True)):
            for pattern, weight in patterns:
                for match in pattern.finditer(text):
                    span = (match.start(), match.end())
                    if any(a < span[1] and span[0] < b for a, b in taken):
                        continue
                    taken.append(span)
                    # Negated wording reads the other way: "does not micromanage",
                    # "never asks what I learned". Cues that carry their own negation
                    # ("without checking", "doesn't trust") are read as written.
                    own_negation = _NEGATORS.search(match.group(0)) is not None
                    flips = not own_negation and _negated(text, match.start())
                    if _more_than(text, match.start()) or reads_favourable != flips:
                        favourable += weight
                    else:
                        opposite += weight
        if favourable or opposite:
            found[element] = (favourable, opposite)
    return found


def suggest_item(question: str) -> ItemSuggestion:
    """The element a question measures and whether it is reversed, or None with the reason.
    Likelihood-to-recommend questions (usually 0-10) are told by their wording, not their scale:
    a 0-10 agreement item about the mentor is still an element item."""
    text = _normalise(question)
    if _SOMEONE_ELSE.search(text) and not re.search(r"\b(?:my|your|the) mentor\b", text):
        return ItemSuggestion(None, False, "about someone other than the mentor")
    if _NOT_MENTORING.search(text) and not _PAYING_FORWARD.search(text):
        return ItemSuggestion(None, False, "not about how the mentor mentors")
    # A wish names no behaviour, but a wish beside a description ("I'd like more room - my mentor
    # reviews everything") is read for the description.
    clauses = [c for c in re.split(r"[,;:.!?]| - | but | at the moment ", text) if c.strip()]
    described = [c for c in clauses if not _WISH.search(c)]
    if not described:
        return ItemSuggestion(None, False, "a wish or a plan, not the mentor's behaviour")
    text = " ; ".join(described) if len(described) < len(clauses) else text
    whole = re.match(r"(?:not|rarely) ", text)
    passive = re.search(
        r"\b(?:is|are|was|were|gets?|get) (?:never|rarely|seldom|not) (?:raised|discussed|asked|"
        r"mentioned|covered|talked about|addressed|reviewed)\b",
        text,
    )
    scores = _score(text[whole.end() :] if whole else text)
    if whole or passive:
        # "It is rare that X", "It's not true that X": everything X says reads the other way.
        scores = {e: (o, f) for e, (f, o) in scores.items()}
    strength = {e: f + o for e, (f, o) in scores.items()}
    if not strength:
        if _NOT_ELEMENT.search(text):
            return ItemSuggestion(
                None, False, "about the programme, the platform or the mentor's profile"
            )
        return ItemSuggestion(None, False, "names none of the four elements")
    ranked = sorted(strength.items(), key=lambda kv: (-kv[1], ELEMENTS.index(kv[0])))
    best, top = ranked[0]
    if _NOT_ELEMENT.search(text) and top < 4:
        return ItemSuggestion(
            None, False, "about the programme, the platform or the mentor's profile"
        )
    if top < 2:
        return ItemSuggestion(None, False, f"too general to tell ({best}?): choose if it is")
    if len(ranked) > 1 and ranked[1][1] >= 2 and top <= 2 * ranked[1][1]:
        # Two elements named about as strongly: a double-barrelled question.
        both = [e for e, s in ranked if s >= 2][:2]
        return ItemSuggestion(None, False, "could measure " + " or ".join(both) + ": choose one")
    favourable, opposite = scores[best]
    if favourable and opposite and favourable == opposite:
        return ItemSuggestion(
            None, False, f"{best}, but unclear whether agreeing is good or bad: choose"
        )
    reverse = opposite > favourable
    return ItemSuggestion(best, reverse, "worded negatively" if reverse else "")
