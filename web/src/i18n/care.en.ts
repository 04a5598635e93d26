/** Care and linkage screens (English). */
export default {
  care: {
    nav: { linkage: 'Linkage groups', patrols: 'Patrol tracks', visits: 'Visits', track: 'Patrol', neighbours: 'Neighbours' },
    common: { refresh: 'Refresh', save: 'Save', cancel: 'Cancel', none: 'Nothing yet', loading: 'Loading…', community: 'Community code', load: 'Show', households: 'households', people: 'people' },
    status: { overdue: 'Overdue', due: 'Due', done: 'Visited this cycle', open: 'Open', claimed: 'In progress', case: 'Became a case', cancelled: 'Cancelled', active: 'Running', ended: 'Ended', sending: 'Sending', sent: 'Delivered' },
    visits: {
      title: 'Care visits', counts: '{{total}} to visit: {{overdue}} overdue, {{due}} due, {{done}} visited', every: 'every {{n}} days', overdueDays: '{{n}} days overdue',
      last: 'Last visit', never: 'never visited', dueAt: 'Due', record: 'Record a visit', form: 'Visit record', findings: 'What you found', kind: 'How',
      kinds: { home: 'Home visit', phone: 'Phone call', other: 'Other' }, location: 'Location', locate: 'Use my location', located: 'Located at {{x}}, {{y}}', noLocation: 'No location (optional)',
      photos: 'Photos', openCase: 'Found a problem: report a case too', category: 'Case category', saved: 'Visit recorded', history: 'Visits', findingsRequired: 'Describe what you found', search: 'Find by name or address',
    },
    patrol: {
      title: 'Patrol', start: 'Start patrol', stop: 'End patrol', running: 'On patrol, {{n}} track points recorded', queued: '{{n}} waiting to upload', offline: 'Offline: points are kept on the phone and sent when back online',
      started: 'Patrol started', stopped: 'Patrol ended', report: 'Report a finding', description: 'What is wrong', category: 'Case category', reported: 'Case {{number}} reported', findings: 'Findings',
      list: 'Patrols', worker: 'Grid worker', startedAt: 'Started', points: 'Points', distance: 'Distance (m)', noTrack: 'No track for this patrol yet', addPoint: 'Record my position',
    },
    linkage: {
      title: 'Four-level linkage', propose: 'Propose a tree', apply: 'Build it', rebuild: 'Rebuild and replace', stored: 'In place', proposal: 'Proposal (not saved)', noTree: 'This community has no linkage tree yet',
      stats: '{{households}} households, {{l1}} level-1, {{l2}} level-2, {{l3}} level-3 groups; neighbour service team {{volunteers}} ({{share}}%)',
      level: 'Level {{n}}', owner: 'Owner', noOwner: 'no owner', violations: 'Rule violations', noViolations: 'Every rule holds', applied: 'Linkage tree built', confirmReplace: 'This replaces the current tree; hand adjustments are lost. Continue?',
      codes: {
        HOUSEHOLD_UNASSIGNED: 'Household in no level-1 group', HOUSEHOLD_IN_MANY_GROUPS: 'Household in several level-1 groups', HOUSEHOLD_UNKNOWN: 'Not a household of this community', SIZE_BELOW_MIN: 'Too small', SIZE_ABOVE_MAX: 'Too large',
        OWNER_MISSING: 'No owner', OWNER_NOT_IN_PARENT: 'Owner not in the parent group', OWNER_NOT_IN_GROUP: 'Owner not in the group', PARENT_MISSING: 'No parent group', PARENT_LEVEL_MISMATCH: 'Wrong parent level', NOT_ONE_TOP_GROUP: 'Not exactly one level-4 group',
      },
    },
    notice: {
      title: 'Notices', compose: 'New notice', subject: 'Title', body: 'Text', urgent: 'Emergency warning', send: 'Send down the tree', sent: 'Sent to {{n}} households', list: 'Notices sent',
      reach: '{{recipients}} households reached, {{read}} read, {{unread}} not read', unreadList: 'Not read', remind: 'Remind group owners', reminded: '{{n}} owners reminded', address: 'Address', group: 'Level-1 group', owner: 'Owner',
      mine: 'Community notices', markRead: 'Read', readDone: 'Marked read',
    },
    help: {
      title: 'Neighbour help', ask: 'Ask for help', what: 'What do you need', detail: 'Details', asked: 'Sent: the neighbour service team will be in touch', mine: 'My requests', serve: 'Requests you can take', claim: "I'll help", claimed: 'Taken',
      complete: 'Done', result: 'What was done', completed: 'Completed', levelAt: 'Moved up to level {{n}}', by: 'Taken by',
    },
  },
};
