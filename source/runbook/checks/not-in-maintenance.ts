import {inMaintenance} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import {formatTarget} from '../../runtime/names.js';
import {failed, passed, warned} from '../check-result.js';
import {drainCommand} from '../come-back.js';
import type {RunbookContext} from '../context.js';
import {perInstance, readTarget} from '../read-target.js';
import type {CheckDefinition} from '../step-definition.js';

/** Why the server is in maintenance, after its name (`, "disabled" in the configuration`), and what brings it back. */
function maintenanceOf(server: Server, target: string): {cause: string; back: string} {
	const flags = server.adminFlags;
	if (flags.includes('FMAINT') && flags.includes('CMAINT')) {
		return {
			cause: ', "disabled" in the configuration',
			back: `"set server ${target} state ready" enables it until the next reload, and taking "disabled" off its server line keeps it so`,
		};
	}

	if (flags.includes('FMAINT')) {
		return {cause: '', back: `whoever put it in maintenance brings it back (set server ${target} state ready)`};
	}

	if (flags.includes('IMAINT')) {
		const tracked = server.tracked ?? 'the server it tracks';
		return {
			cause: server.tracked ? ` through ${tracked}, which it tracks` : ' through the server it tracks',
			back: `it comes back with ${tracked} ("set server ${tracked} state ready", or whoever put that one in maintenance)`,
		};
	}

	return {cause: ' because its name does not resolve', back: 'it comes back when DNS resolves its name again'};
}

/**
 * What to do about a target in maintenance: of one server, leave it or bring it back; of several
 * (a machine), the maintenance refuses as a whole, so the others are named to be taken out alone.
 */
function othersAlone(context: RunbookContext): string {
	const others = (context.together ?? []).filter((target) => formatTarget(target) !== formatTarget(context.target)).map((target) => formatTarget(target));
	if (others.length === 0) {
		return 'Leave it as it is, or bring it back first and drain it then';
	}

	const oneByOne = context.options.interactive ? `from the grid: Enter on ${others.join(', ')}` : others.map((name) => `"${drainCommand(context.commandFlags, name, context.journal.file)}"`).join(', ');
	return `A maintenance of several servers takes none out while one is in maintenance: bring ${formatTarget(context.target)} back first, or leave it as it is and take the others out one at a time (${oneByOne})`;
}

/**
 * A target in maintenance (FMAINT, IMAINT, RMAINT) is out of rotation already, and not by a drain:
 * validate refuses it before the lock, the baseline or any change, saying how it comes back.
 * With --allow-down one in maintenance through the server it tracks (IMAINT) or DNS (RMAINT) is
 * drained on purpose, as it is (a warning): the drain is added, the maintenance stays. FMAINT is
 * refused even then: "state drain" clears it (HAProxy's srv_adm_set_drain). A drain (FDRAIN) is not a maintenance.
 */
export const notInMaintenance: CheckDefinition = {
	id: 'not-in-maintenance',
	title: 'Not in maintenance',
	async run(context, io) {
		const target = formatTarget(context.target);
		const views = await readTarget(context, io.signal);
		const found = views.find((view) => view.server && inMaintenance(view.server));
		if (!found?.server) {
			const flags = new Set(views.map((view) => view.server?.adminFlags.join('+') || 'none'));
			return passed(this.id, this.title, `${target} is not in maintenance (admin flags ${[...flags].join(', ')}).`);
		}

		const {server} = found;
		const {cause, back} = maintenanceOf(server, target);
		const shows = `${target} is in maintenance${cause} (HAProxy shows ${server.status}, admin flags ${server.adminFlags.join('+')})`;
		if (context.options.allowDown && server.adminFlags.includes('FMAINT')) {
			// HAProxy's "state drain" clears FMAINT (srv_adm_set_drain): the drain would end this maintenance, not keep it.
			return failed(this.id, this.title, perInstance(context, found.socket, `${shows}: --allow-down does not drain it, since HAProxy's "state drain" ends a maintenance set by hand or by "disabled" (FMAINT becomes FDRAIN): its health checks would resume and sticky clients (cookie, stick table) reach it again. Nothing was sent.`), {
				meaning: 'It is out of rotation already, more fully than a drain would keep it.',
				todo: `Leave it in maintenance; ${back}, and drainboard can drain it then.`,
			});
		}

		if (context.options.allowDown) {
			return warned(this.id, this.title, perInstance(context, found.socket, `${shows}, drained on purpose with --allow-down: it stays out of rotation, and its baseline is skipped.`));
		}

		return failed(this.id, this.title, perInstance(context, found.socket, `${shows}: it is already out of rotation, so there is nothing to drain; ${back}.`), {
			meaning: 'A maintenance is not a drain: draining the server would take that maintenance over, and restore would put the server back into rotation while its owner may still be at work.',
			// --allow-down only where a drain keeps the maintenance (IMAINT, RMAINT): "state drain" ends FMAINT.
			todo: `${othersAlone(context)}${server.adminFlags.includes('FMAINT') ? '' : '; --allow-down drains it as it is (journaled)'}.`,
		});
	},
};
