import React, {useCallback, useEffect, useMemo, useState} from 'react';
import {sentenceOf} from '../errors.js';
import type {PollView} from '../poll/pool-poller.js';
import type {Backend, InstanceSnapshot} from '../model/types.js';
import type {PreparedMaintenance} from '../runbook/prepare.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, maxBackendLength, parseTarget, proxyNameSchema, targetOf, type ProxyName, type Target} from '../runtime/names.js';
import type {OpenDrain} from '../runbook/resume.js';
import {cell} from './format.js';
import {tint} from './theme.js';
import {serverKey} from './grid/grid-rows.js';
import {GridScreen} from './grid/grid-screen.js';
import {gridLayout} from './grid/grid-layout.js';
import {useLabMessage, type LabControls} from './use-lab-message.js';
import {useNow} from './use-now.js';
import {usePool} from './use-pool.js';
import {useTerminalSize} from './use-terminal-size.js';
import {drainedInView, resumeBanner} from './open-drains.js';
import {WizardApp} from './wizard/wizard-app.js';
import {SetScreen} from './wizard/set-screen.js';
import type {SetRunner} from '../runbook/maintenance-set.js';
import {currentServer, rollBlocked, rollPosition, type RollPlan} from './roll-plan.js';
import {useRoll} from './use-roll.js';
import type {RollLog} from '../runbook/roll-record.js';
import {RollScreen, type RollChoice} from './roll-screen.js';
import {useExitOwner, type ExitOwner} from './exit-owner.js';
import {Text} from './text/shown-text.js';

export type AppProps = {
	clients: readonly RuntimeClient[];
	/** `drainboard webapps/app01` opens the wizard on this server. */
	initialTarget?: Target;
	/** `drainboard '@10.0.0.5'` naming several servers: the app opens on their maintenance as one. */
	initialSet?: SetRunner;
	/** Builds a maintenance for a server (journal, config, probe); absent: the grid shows details only. */
	prepare?: (target: Target) => Promise<PreparedMaintenance>;
	/** A maintenance of several servers by its pattern (`@10.0.0.5`), for the grid's banner to take one up again. */
	prepareSet?: (label: string) => Promise<SetRunner>;
	/** Decides how the app ends (q, Ctrl-C, signals, a crash) and holds the note printed after. */
	owner?: ExitOwner;
	pollIntervalMs?: number;
	/** In `drainboard lab`: `s` stops or starts the demo server under the cursor. */
	lab?: LabControls;
	/** The maintenances the journal holds open after their drain, read each time the grid opens. */
	openDrains?: () => OpenDrain[];
	/** First full snapshots, asked for while the UI was loading. */
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>;
	/** `drainboard roll <backend>` in a terminal: the app opens on this roll (servers in roll order, checked against HAProxy). */
	/** `servers`: the backend's; `asked`: those of --servers, in their order (none: the open roll's, else all). */
	initialRoll?: {backend: ProxyName; servers: readonly string[]; asked: readonly string[]; exec?: string};
	/** Where a roll keeps its place (the journal); absent: a roll is not journaled (tests of the screens). */
	rollLog?: RollLog;
};

/** `resumeNow`: the operator chose to resume from the grid's banner; the wizard does not ask again. */
type Screen = {kind: 'grid'} | {kind: 'preparing'; target: Target; resumeNow?: boolean} | {kind: 'wizard'; prepared: PreparedMaintenance; resumeNow?: boolean} | {kind: 'roll'} | {kind: 'set'; runner: SetRunner};

/** The screens: the grid, a maintenance being prepared, the wizard, a roll between two servers. */
export function Screens({clients, initialTarget, initialSet, initialRoll, rollLog, prepare, prepareSet, pollIntervalMs, lab, prefetched, openDrains}: Omit<AppProps, 'owner'>) {
	const owner = useExitOwner();
	const terminal = useTerminalSize();
	const size = lab ? {...terminal, rows: terminal.rows - 1} : terminal;
	const {labMessage, toggleDemo} = useLabMessage(lab);
	const [screen, setScreen] = useState<Screen>(initialSet ? {kind: 'set', runner: initialSet} : initialRoll && prepare ? {kind: 'roll'} : initialTarget && prepare ? {kind: 'preparing', target: initialTarget} : {kind: 'grid'});
	const [problem, setProblem] = useState<string | null>(null);
	// A roll of one backend (Enter on its row, or `drainboard roll <backend>`): its servers are maintained one after another.
	const {roll, note: rollNote, begin: beginRoll, starting: startingInRoll, ended: serverEnded, stop: stopRoll} = useRoll(rollLog);
	const [gridFocus, setGridFocus] = useState<ProxyName | undefined>(initialTarget?.backend ?? initialRoll?.backend);
	useEffect(() => {
		if (initialRoll && prepare) {
			beginRoll(initialRoll.backend, initialRoll.servers, initialRoll.asked);
		}
		// Once, when the app opens on a roll.
	}, []);
	// Where the grid's cursor goes when it (re)opens: the server given, the one just left, or the next one.
	const [gridCursor, setGridCursor] = useState<string | undefined>(initialTarget && clients[0] ? serverKey(clients[0].socket, initialTarget.backend, initialTarget.server) : undefined);
	const focus = screen.kind === 'wizard' ? screen.prepared.context.target.backend : screen.kind === 'preparing' ? screen.target.backend : screen.kind === 'roll' && roll ? roll.backend : gridFocus;
	// The wizard reads only the target's backend (filtered commands); the grid reads everything.
	const {view, lastSuccessAt, refresh} = usePool(clients, {focus, focusOnly: screen.kind !== 'grid' && screen.kind !== 'set', intervalMs: pollIntervalMs, prefetched});
	const poll = useMemo(() => ({readAt: lastSuccessAt, refresh: () => refresh()}), [lastSuccessAt, refresh]);
	const now = useNow(lastSuccessAt, {perSecond: gridLayout(size.columns).changed > 0});
	const freshAt = lastSuccessAt();
	// The --exec of `drainboard roll <backend> --exec`; a roll started from the grid has none.
	const rollExec = roll && roll.backend === initialRoll?.backend ? initialRoll.exec : undefined;

	useEffect(() => {
		if (screen.kind !== 'preparing' || !prepare) {
			return;
		}

		let cancelled = false;
		prepare(screen.target).then(
			(prepared) => {
				if (!cancelled) {
					setProblem(null);
					setScreen({kind: 'wizard', prepared, resumeNow: screen.resumeNow});
				}
			},
			(error: unknown) => {
				if (!cancelled) {
					setProblem(sentenceOf(error));
					if (roll) {
						serverEnded('left');
					}

					setScreen({kind: roll ? 'roll' : 'grid'});
				}
			},
		);
		return () => {
			cancelled = true;
		};
	}, [screen, prepare, roll, serverEnded]);

	const onFocus = useCallback((backend: string | undefined) => {
		// A backend too long for the filtered commands is read with the full dumps only.
		const parsed = backend !== undefined && backend.length <= maxBackendLength ? proxyNameSchema.safeParse(backend) : undefined;
		setGridFocus(parsed?.success ? parsed.data : undefined);
	}, []);

	// Read when the grid opens (a maintenance that just ended is closed in the journal by then).
	const drains = useMemo(() => (screen.kind === 'grid' && prepare ? (openDrains?.() ?? []) : []), [screen.kind, prepare, openDrains]);
	const resumable = drains.filter((drain) => drainedInView(view, drain.target));
	const banner = resumeBanner(resumable);
	const resume = (drain: OpenDrain) => {
		if (drain.set !== undefined && prepareSet) {
			// The servers the pattern names now, read from HAProxy: the maintenance of them all, as it was started.
			prepareSet(drain.set).then(
				(runner) => {
					setProblem(null);
					setScreen({kind: 'set', runner});
				},
				(error: unknown) => {
					setProblem(sentenceOf(error));
				},
			);
			return;
		}

		try {
			const target = parseTarget(drain.target);
			setScreen({kind: 'preparing', target, resumeNow: true});
		} catch (error) {
			setProblem(sentenceOf(error));
		}
	};

	const quit = () => {
		owner.quit(0);
	};

	const startRollOf = (backend: Backend) => {
		const parsed = proxyNameSchema.safeParse(backend.name);
		if (!parsed.success || backend.servers.length === 0) {
			setProblem(parsed.success ? `${backend.name} has no server to roll.` : `The backend name ${backend.name} cannot be put in a command line, so it cannot be rolled here.`);
			return;
		}

		setProblem(null);
		beginRoll(parsed.data, backend.servers.map((server) => server.server));
		setScreen({kind: 'roll'});
	};

	const chooseInRoll = (plan: RollPlan, choice: RollChoice) => {
		const server = currentServer(plan);
		if (choice === 'stop' || server === undefined) {
			stopRoll();
			setProblem(null);
			setGridFocus(plan.backend);
			setGridCursor(clients[0] ? serverKey(clients[0].socket, plan.backend, server ?? plan.servers.at(-1) ?? '') : undefined);
			setScreen({kind: 'grid'});
		} else if (choice === 'skip') {
			setProblem(null);
			serverEnded('skipped');
		} else {
			const blocked = rollBlocked(plan, (view.pool?.instances ?? []).map((instance) => instance.backends.find((candidate) => candidate.name === plan.backend)));
			if (blocked) {
				setProblem(blocked);
				return;
			}

			try {
				const target = targetOf(plan.backend, server);
				setProblem(null);
				startingInRoll();
				setScreen({kind: 'preparing', target});
			} catch (error) {
				setProblem(sentenceOf(error));
				serverEnded('skipped');
			}
		}
	};

	// The lab's own key, in the help too.
	const labKeys = lab ? [{keys: 's', does: `lab: stop / start the demo server ${screen.kind === 'wizard' ? 'under maintenance' : 'under the cursor'}`}] : [];
	const labLine = lab ? (
		<Text color={tint('magenta')} bold wrap="truncate-end">
			{cell(labMessage ?? `LAB · s stops/starts the demo server ${screen.kind === 'wizard' ? 'under maintenance' : 'under the cursor'} · q ends the lab`, size.columns - 1)}
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
						chooseInRoll(roll, choice);
					}}
				/>
			</>
		);
	}

	if (screen.kind === 'roll') {
		// The roll's place is being read from the journal (the first frame of `drainboard roll <backend>`).
		return <Text>{cell('Reading the journal for the roll…', size.columns - 1)}</Text>;
	}

	if (screen.kind === 'set') {
		return (
			<SetScreen
				runner={screen.runner}
				view={view}
				size={size}
				now={now}
				freshAt={freshAt}
				onQuit={quit}
				onBack={() => {
					const [first] = screen.runner.targets;
					setGridFocus(first?.backend);
					setGridCursor(first && clients[0] ? serverKey(clients[0].socket, first.backend, first.server) : undefined);
					setScreen({kind: 'grid'});
				}}
			/>
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
						if (roll) {
							owner.note = null;
							serverEnded(done ? 'done' : 'left');
							setScreen({kind: 'roll'});
							return;
						}

						const {target} = screen.prepared.context;
						const server = done ? nextServer(view, target) : target.server;
						owner.note = null;
						setGridCursor(clients[0] ? serverKey(clients[0].socket, target.backend, server) : undefined);
						setScreen({kind: 'grid'});
					}}
					extraKeys={labKeys}
					onExtraKey={(char) => {
						if (char === 's') {
							toggleDemo(screen.prepared.context.target.server);
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
				banner={banner}
				onFocus={onFocus}
				onQuit={quit}
				onBackend={prepare ? startRollOf : undefined}
				onSelect={
					prepare
						? (server) => {
								// Any name HAProxy reports can be selected; one drainboard cannot put in a command is one sentence.
								try {
									setScreen({kind: 'preparing', target: targetOf(server.backend, server.server)});
								} catch (error) {
									setProblem(sentenceOf(error));
								}
							}
						: undefined
				}
				extraKeys={labKeys}
				onExtraKey={(char, server) => {
					if (char === 's') {
						toggleDemo(server?.server);
					} else if (char === 'r' && resumable[0]) {
						resume(resumable[0]);
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
