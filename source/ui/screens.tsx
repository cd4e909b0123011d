import React, {useCallback, useEffect, useMemo, useRef} from 'react';
import type {PollView} from '../poll/pool-poller.js';
import type {Instance, InstanceSnapshot} from '../model/types.js';
import type {PreparedMaintenance} from '../runbook/prepare.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, maxBackendLength, proxyNameSchema, targetOf, type ProxyName, type Target} from '../runtime/names.js';
import type {OpenDrain} from '../runbook/resume.js';
import type {SetRunner} from '../runbook/maintenance-set.js';
import type {RollLog} from '../runbook/roll-record.js';
import {cell} from './format.js';
import {tint} from './theme.js';
import {GridScreen} from './grid/grid-screen.js';
import {gridLayout} from './grid/grid-layout.js';
import {useLabMessage, type LabControls} from './use-lab-message.js';
import {useNow} from './use-now.js';
import {usePool} from './use-pool.js';
import {useTerminalSize} from './use-terminal-size.js';
import {WizardApp} from './wizard/wizard-app.js';
import {SetScreen} from './wizard/set-screen.js';
import {rollPosition} from './roll-plan.js';
import {RollScreen} from './roll-screen.js';
import {useExitOwner, type ExitOwner} from './exit-owner.js';
import {useScreenNav} from './screen-nav.js';
import {useResumeBanner} from './use-resume-banner.js';
import {useRollChoices} from './use-roll-choices.js';
import {Text} from './text/shown-text.js';
import {MachineScreen} from './machine-screen.js';
import {useMachineChoices} from './use-machine-choices.js';

export type AppProps = {
	clients: readonly RuntimeClient[];
	/** `drainboard webapps/app01` opens the wizard on this server. */
	initialTarget?: Target;
	/** `drainboard '@10.0.0.5'` naming several servers: the app opens on their maintenance as one. */
	initialSet?: SetRunner;
	/** Builds a maintenance for a server (journal, config, probe); absent: the grid shows details only. */
	/** `roll`: the target is a server of this roll (its come-back command is the roll's). */
	prepare?: (target: Target, roll?: {backend: ProxyName; exec?: string}) => Promise<PreparedMaintenance>;
	/** A maintenance of several servers by its pattern (`@10.0.0.5`): the grid's `m`, and its banner taking one up again. */
	prepareSet?: (label: string) => Promise<SetRunner>;
	/** Decides how the app ends (q, Ctrl-C, signals, a crash) and holds the note printed after. */
	owner?: ExitOwner;
	pollIntervalMs?: number;
	/** In `drainboard lab`: `s` stops or starts the demo server under the cursor. */
	lab?: LabControls;
	/** The maintenances the journal holds open after their drain, read each time the grid opens. */
	openDrains?: (polled?: readonly Instance[]) => OpenDrain[];
	/** The grid saw an open maintenance's server in rotation (its drain gone): journaled, once. */
	drainLost?: (drain: OpenDrain, polled?: readonly Instance[]) => Promise<{done: boolean; problem: string | null}>;
	/** First full snapshots, asked for while the UI was loading. */
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>;
	/** `drainboard roll <backend>` in a terminal: the app opens on this roll (servers in roll order, checked against HAProxy). */
	/** `servers`: the backend's; `asked`: those of --servers, in their order (none: the open roll's, else all). */
	initialRoll?: {backend: ProxyName; servers: readonly string[]; asked: readonly string[]; exec?: string};
	/** Where a roll keeps its place (the journal); absent: a roll is not journaled (tests of the screens). */
	rollLog?: RollLog;
};

/** The screens: the grid, a maintenance being prepared, the wizard, a roll between two servers, a maintenance of several. */
export function Screens({clients, initialTarget, initialSet, initialRoll, rollLog, prepare, prepareSet, pollIntervalMs, lab, prefetched, openDrains, drainLost}: Omit<AppProps, 'owner'>) {
	const owner = useExitOwner();
	const terminal = useTerminalSize();
	const size = lab ? {...terminal, rows: terminal.rows - 1} : terminal;
	const {labMessage, toggleDemo} = useLabMessage(lab);
	const nav = useScreenNav(
		clients,
		initialSet ? {kind: 'set', runner: initialSet} : initialRoll && prepare ? {kind: 'roll'} : initialTarget && prepare ? {kind: 'preparing', target: initialTarget} : {kind: 'grid'},
		{backend: initialTarget?.backend ?? initialRoll?.backend, server: initialTarget?.server},
	);
	const {screen, problem, open, toGrid, say, focusGrid, gridFocus, gridCursor} = nav;
	// A roll of one backend (Enter on its row, or `drainboard roll <backend>`): its servers are maintained one after another.
	const {roll, note: rollNote, begin: beginRoll, ended: serverEnded, startRollOf, choose: chooseInRoll} = useRollChoices(nav, rollLog, openDrains);
	// A maintenance of several servers shows each of them: every backend it touches is read each cycle, not from a full dump that may be 30 s old.
	const focus = useMemo(
		(): ProxyName | readonly ProxyName[] | undefined =>
			screen.kind === 'wizard'
				? screen.prepared.context.target.backend
				: screen.kind === 'preparing'
					? screen.target.backend
					: screen.kind === 'roll' && roll
						? roll.backend
						: screen.kind === 'set'
							? screen.runner.targets.map((target) => target.backend)
							: gridFocus,
		[screen, roll?.backend, gridFocus],
	);
	// The wizard reads only the target's backend (filtered commands); the grid reads everything.
	const {view, lastSuccessAt, refresh} = usePool(clients, {focus, focusOnly: screen.kind !== 'grid' && screen.kind !== 'set', intervalMs: pollIntervalMs, prefetched});
	// Back on the grid, every backend is read at once: the others were not read while a maintenance had the screen.
	const onGrid = screen.kind === 'grid';
	const cameBack = useRef(false);
	useEffect(() => {
		if (onGrid && cameBack.current) {
			refresh({full: true});
		}

		cameBack.current ||= !onGrid;
	}, [onGrid, refresh]);
	useEffect(() => {
		if (initialRoll && prepare) {
			beginRoll(initialRoll.backend, initialRoll.servers, initialRoll.asked);
		}
		// Once, when the app opens on a roll.
	}, []);
	const poll = useMemo(() => ({readAt: lastSuccessAt, refresh: () => refresh()}), [lastSuccessAt, refresh]);
	const now = useNow(lastSuccessAt, {perSecond: gridLayout(size.columns).changed > 0});
	const freshAt = lastSuccessAt();
	// The --exec of `drainboard roll <backend> --exec`; a roll started from the grid has none.
	const rollExec = roll && roll.backend === initialRoll?.backend ? initialRoll.exec : undefined;
	const {banner, resumeFirst} = useResumeBanner(nav, view, {openDrains, drainLost, prepareSet, canPrepare: prepare !== undefined});
	// `m` on a server: the maintenances of several servers that include it.
	const {offerMachine, pickMachine} = useMachineChoices(nav, view, prepareSet);

	useEffect(() => {
		if (screen.kind !== 'preparing' || !prepare) {
			return;
		}

		let cancelled = false;
		prepare(screen.target, roll ? {backend: roll.backend, ...(rollExec === undefined ? {} : {exec: rollExec})} : undefined).then(
			(prepared) => {
				if (!cancelled) {
					open({kind: 'wizard', prepared, resumeNow: screen.resumeNow});
				}
			},
			(error: unknown) => {
				if (!cancelled) {
					if (roll) {
						serverEnded('left');
						open({kind: 'roll'});
					} else {
						toGrid();
					}

					say(error);
				}
			},
		);
		return () => {
			cancelled = true;
		};
	}, [screen, prepare, roll, rollExec, serverEnded, open, toGrid, say]);

	const onFocus = useCallback(
		(backend: string | undefined) => {
			// A backend too long for the filtered commands is read with the full dumps only.
			const parsed = backend !== undefined && backend.length <= maxBackendLength ? proxyNameSchema.safeParse(backend) : undefined;
			focusGrid(parsed?.success ? parsed.data : undefined);
		},
		[focusGrid],
	);

	const quit = () => {
		owner.quit(0);
	};

	// What every screen shows of HAProxy: the last read, the terminal, and the time.
	const live = {view, size, now, freshAt};

	// The lab's own key, in the help too.
	const labKeys = lab && screen.kind !== 'roll' ? [{keys: 's', does: `lab: stop / start the demo server ${screen.kind === 'wizard' || screen.kind === 'set' ? 'under maintenance' : 'under the cursor'}`}] : [];
	// The header cuts a long socket path at 80 columns: the help gives it whole, to try the headless commands on.
	const labSocket = lab
		? [
				{keys: '(socket)', does: `${lab.socket}: for --socket in another terminal (status, drain, restore)`},
				{keys: '(journal)', does: `${lab.journal}: for --journal there, to see the lab's maintenances`},
			]
		: [];
	const machineKeys = prepareSet ? [{keys: 'm', does: 'on a server: take it out together with the servers at its address or of its name (a machine in several backends)'}] : [];
	const labLine = lab ? (
		<Text color={tint('magenta')} bold wrap="truncate-end">
			{cell(labMessage ?? (screen.kind === 'roll' ? 'LAB · q ends the lab' : `LAB · s stops/starts the demo server ${screen.kind === 'wizard' || screen.kind === 'set' ? 'under maintenance' : 'under the cursor'} · q ends the lab`), size.columns - 1)}
		</Text>
	) : null;

	const rollLine = roll ? (
		<Text color={tint('cyan')} bold wrap="truncate-end">
			{cell(`ROLL ${roll.backend} · ${rollPosition(roll)} · one server out of rotation at a time`, size.columns - 1)}
		</Text>
	) : null;

	if (screen.kind === 'roll' && roll) {
		return (
			<>
				{labLine}
				<RollScreen
					plan={roll}
					size={size}
					message={problem ?? rollNote}
					exec={rollExec}
					view={view}
					now={now}
					freshAt={freshAt}
					onQuit={quit}
					onChoose={(choice) => {
						chooseInRoll(roll, choice, view);
					}}
				/>
			</>
		);
	}

	if (screen.kind === 'roll') {
		// The roll's place is being read from the journal (the first frame of `drainboard roll <backend>`).
		return <Text>{cell('Reading the journal for the roll…', size.columns - 1)}</Text>;
	}

	if (screen.kind === 'machine') {
		return (
			<>
				{labLine}
				<MachineScreen
					server={screen.server}
					choices={screen.choices}
					{...live}
					message={problem}
					onQuit={quit}
					onPick={(pick) => {
						pickMachine(screen.server, pick);
					}}
				/>
			</>
		);
	}

	if (screen.kind === 'set') {
		return (
			<>
				{labLine}
				<SetScreen
					runner={screen.runner}
					{...live}
					extraKeys={labKeys}
					onQuit={quit}
					onBack={(done) => {
						// As after one server: a finished maintenance puts the cursor on the server after it (the first of the set's).
						const [first] = screen.runner.targets;
						toGrid(first ? {backend: first.backend, server: done ? nextServer(view, first) : first.server} : undefined);
					}}
					onExtraKey={(char) => {
						if (char === 's') {
							// The demo servers behind the maintenance (one for a machine's port), stopped or started as one.
							toggleDemo(screen.runner.targets.map((target) => target.server));
						}
					}}
				/>
			</>
		);
	}

	if (screen.kind === 'wizard') {
		return (
			<>
				{labLine}
				{rollLine}
				<WizardApp
					prepared={screen.prepared}
					resumeNow={screen.resumeNow}
					view={view}
					size={roll ? {...size, rows: size.rows - 1} : size}
					afterEnd={roll ? 'on to the next server of the roll' : undefined}
					backTo={roll ? 'the roll' : undefined}
					exec={rollExec}
					now={now}
					freshAt={freshAt}
					poll={poll}
					onQuit={quit}
					onBack={(done) => {
						owner.note = null;
						if (roll) {
							serverEnded(done ? 'done' : 'left');
							open({kind: 'roll'});
							return;
						}

						const {target} = screen.prepared.context;
						toGrid({backend: target.backend, server: done ? nextServer(view, target) : target.server});
					}}
					extraKeys={labKeys}
					onExtraKey={(char) => {
						if (char === 's') {
							toggleDemo([screen.prepared.context.target.server]);
						}
					}}
				/>
			</>
		);
	}

	if (screen.kind === 'preparing') {
		return <Text>{cell(`Preparing the maintenance of ${formatTarget(screen.target)}: reading the journal, the configuration and the runtime…`, size.columns - 1)}</Text>;
	}

	return (
		<>
			{labLine}
			<GridScreen
				view={view}
				size={size}
				now={now}
				freshAt={freshAt}
				initialKey={gridCursor}
				message={problem}
				onMessagePast={() => {
					say(null);
				}}
				banner={banner}
				onFocus={onFocus}
				onQuit={quit}
				onBackend={prepare ? startRollOf : undefined}
				onSelect={
					prepare
						? (server) => {
								// Any name HAProxy reports can be selected; one drainboard cannot put in a command is one sentence.
								try {
									open({kind: 'preparing', target: targetOf(server.backend, server.server)});
								} catch (error) {
									say(error);
								}
							}
						: undefined
				}
				extraKeys={[...machineKeys, ...labKeys, ...labSocket]}
				onExtraKey={(char, {server, noRow}) => {
					if (char === 's') {
						toggleDemo(server ? [server.server] : [], noRow);
					} else if (char === 'm') {
						offerMachine(server, noRow);
					} else if (char === 'r') {
						resumeFirst();
					}
				}}
			/>
		</>
	);
}

/** The server after `target` in its backend (config order), wrapping to the first; the target itself when alone or unseen. */
function nextServer(view: PollView, target: Target): string {
	const servers = view.pool?.instances[0]?.backends.find((backend) => backend.name === target.backend)?.servers ?? [];
	const index = servers.findIndex((server) => server.server === target.server);
	return index === -1 || servers.length < 2 ? target.server : servers[(index + 1) % servers.length]!.server;
}
