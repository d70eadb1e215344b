//! Counting outcomes of many connections by disposition and by deciding object, without
//! naming every packet's deciders: each distinct step (addresses aside) is judged once per worker.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use vnetsim_engine::outcome::deciding_index;
use vnetsim_engine::{Decider, Fabric, Recorder, Step, Verdict};

/// Outcome counts: per disposition, and per (deciding object, disposition). Dispositions are
/// their names (`Disposition::name`, or `unreachable` for a flow with no address to walk to).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub connections: u64,
    pub by_disposition: BTreeMap<&'static str, u64>,
    /// `None`: no step of the deciding trace names an object.
    pub by_decider: BTreeMap<(Option<Decider>, &'static str), u64>,
}

impl Tally {
    pub fn merge(mut self, other: Tally) -> Tally {
        self.connections += other.connections;
        for (d, n) in other.by_disposition {
            *self.by_disposition.entry(d).or_default() += n;
        }
        for (k, n) in other.by_decider {
            *self.by_decider.entry(k).or_default() += n;
        }
        self
    }

    pub fn add(&mut self, decider: Option<Decider>, disposition: &'static str, n: u64) {
        self.connections += n;
        *self.by_disposition.entry(disposition).or_default() += n;
        *self.by_decider.entry((decider, disposition)).or_default() += n;
    }

    /// Deciding objects, most connections first, ties in name order.
    pub fn top_deciders(&self) -> Vec<(&Option<Decider>, &'static str, u64)> {
        let mut v: Vec<_> = self.by_decider.iter().map(|((d, disp), &n)| (d, *disp, n)).collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (a.0, a.1).cmp(&(b.0, b.1))));
        v
    }
}

/// The trace whose deciding step names what decided a connection: for one that failed, the
/// trace that failed (the request, or the reply of a delivered request), as expectations and
/// `vnetsim flows` name blockers; for one that worked, the request, whose deciding step is the
/// last object that let it through.
pub fn deciding_trace<'a>(verdict: &Verdict, request: &'a [Step], reply: &'a [Step]) -> &'a [Step] {
    if verdict.request.is_delivered() && !verdict.allowed() { reply } else { request }
}

/// Counts connections on one worker. Judgements are memoised per step without its addresses
/// ([`Step::without_addresses`]), so memory is bounded by the fabric, not the packet count.
pub struct Counter<'f> {
    fabric: &'f Fabric,
    /// A step's decider (interned) and whether it dropped the packet; `None`: names no object.
    judged: FxHashMap<Step, Option<(u32, bool)>>,
    deciders: Vec<Decider>,
    decider_ids: FxHashMap<Decider, u32>,
    counts: FxHashMap<(Option<u32>, &'static str), u64>,
    /// Reused for every connection: inline storage, so walks do not allocate.
    pub request: Recorder,
    pub reply: Recorder,
}

impl<'f> Counter<'f> {
    pub fn new(fabric: &'f Fabric) -> Counter<'f> {
        Counter {
            fabric,
            judged: FxHashMap::default(),
            deciders: Vec::new(),
            decider_ids: FxHashMap::default(),
            counts: FxHashMap::default(),
            request: Recorder::default(),
            reply: Recorder::default(),
        }
    }

    fn judge(&mut self, step: &Step) -> Option<(u32, bool)> {
        let key = step.without_addresses();
        if let Some(&j) = self.judged.get(&key) {
            return j;
        }
        let blocks = self.fabric.kind_and_verdict(&key).1.blocks();
        let j = self.fabric.decider(&key).map(|d| {
            let next = self.deciders.len() as u32;
            let id = *self.decider_ids.entry(d.clone()).or_insert(next);
            if id == next {
                self.deciders.push(d);
            }
            (id, blocks)
        });
        self.judged.insert(key, j);
        j
    }

    /// Counts the connection just walked into `request` and `reply`.
    pub fn count(&mut self, verdict: &Verdict) {
        let steps = std::mem::take(&mut self.request.steps);
        let reply = std::mem::take(&mut self.reply.steps);
        let trace = deciding_trace(verdict, &steps, &reply);
        let at = deciding_index(trace, |s| self.judge(s).map(|(_, drops)| drops));
        let decider = at.and_then(|i| self.judge(&trace[i]).map(|(id, _)| id));
        *self.counts.entry((decider, verdict.disposition().name())).or_default() += 1;
        self.request.steps = steps;
        self.reply.steps = reply;
        self.request.steps.clear();
        self.reply.steps.clear();
    }

    pub fn into_tally(self) -> Tally {
        let mut t = Tally::default();
        for ((decider, disposition), n) in self.counts {
            t.add(decider.map(|id| self.deciders[id as usize].clone()), disposition, n);
        }
        t
    }
}
