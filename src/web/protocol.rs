//! The messages between the page and the compute worker, in one place: one [`Request`] enum
//! (page → worker) and one [`Reply`] enum (worker → page), carried as plain JavaScript
//! objects by serde-wasm-bindgen (`type` names the variant, fields are snake_case). The
//! page's side is www/compute.js; docs/architecture.md describes the design.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::experiment::session::{BackendWant, ErrorKind};
use crate::plot::FigureLayout;

/// Bumped whenever a message changes shape; `hello` checks that page and worker agree.
pub const PROTOCOL_VERSION: u32 = 1;

/// The cells of the notebook that the worker computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellId {
    /// Cell 1 (Figure 1 A/B) and cell 2 (its learned directions).
    Linear,
    /// Cell 3: random against aligned initialization (Result 4.6).
    Init,
    /// Cell 4: symmetry-breaking landscapes (App. F).
    Symmetry,
    /// Cell 5: the wide MLP.
    Mlp,
    /// Cell 6: the MLP's hidden representations.
    Hidden,
    /// Cell 7: Appendix G's loss variants.
    Appg,
    /// Cell 8: the deep network's loss and embedding eigenvalues (and Fig 4's histogram).
    Deep,
    /// Cell 9: the deep network's hidden eigenvalues, probes and RankMe.
    Probes,
    /// Cell 10: the three methods' subspace alignment (Table 2).
    Methods,
}

/// How the page shows a figure.
#[derive(Debug, Clone, Deserialize)]
pub struct View {
    /// The CSS width of the figure's box.
    pub css_width: f64,
    /// The screen's devicePixelRatio.
    pub dpr: f64,
    #[serde(default)]
    pub dark: bool,
    #[serde(default)]
    pub log_time: bool,
    /// The replay cursor's time (cell 1).
    #[serde(default)]
    pub cursor: Option<f64>,
    /// `equal` or `stable` (cell 7's variant panels).
    #[serde(default)]
    pub policy: Option<String>,
}

/// One image as RGBA bytes, row by row.
#[derive(Debug, Deserialize)]
pub struct Rgba {
    pub name: String,
    pub width: u32,
    pub height: u32,
    #[serde(with = "serde_bytes")]
    pub rgba: Vec<u8>,
}

/// One of the visitor's files as the worker's decoder left it.
#[derive(Debug, Deserialize)]
pub struct LocalFile {
    pub name: String,
    /// The file's size in bytes.
    pub bytes: f64,
    #[serde(flatten)]
    pub content: FileContent,
}

/// A decoded image, or why the browser could not decode the file.
#[derive(Debug, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileContent {
    Decoded {
        width: u32,
        height: u32,
        #[serde(with = "serde_bytes")]
        rgba: Vec<u8>,
    },
    NotAnImage {
        reason: String,
    },
}

/// What a `create` request asks for.
#[derive(Debug, Deserialize)]
pub struct CreateRequest {
    pub cell: CellId,
    pub config: Value,
    #[serde(default)]
    pub backend: BackendWant,
    /// The MLP cells: whether the CPU may run smaller data.
    #[serde(default)]
    pub auto_size: bool,
    /// The page starts this run by itself: `auto` then means the CPU (a small run the
    /// reader did not ask for must not wait on a CPU-emulated adapter).
    #[serde(default)]
    pub autostart: bool,
    /// A one-call cell (init) refuses a configuration estimated to take longer.
    #[serde(default)]
    pub max_seconds: Option<f64>,
}

/// Page → worker. Every request carries a `seq` that its reply echoes (see [`Envelope`]).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Hello {
        version: u32,
    },
    Presets,
    ParseQuery {
        cell: CellId,
        query: String,
    },
    CheckConfig {
        cell: CellId,
        config: Value,
        /// The MLP cells: whether the CPU may run smaller data (cost estimate).
        #[serde(default)]
        auto_size: bool,
    },
    Palette {
        dark: bool,
    },
    FigureHeight {
        kind: String,
        css_width: f64,
    },
    BundledPhotos {
        images: Vec<Rgba>,
    },
    LocalPhotos {
        base: u32,
        files: Vec<LocalFile>,
    },
    ClearLocalPhotos,
    Create {
        session: u32,
        #[serde(flatten)]
        request: CreateRequest,
    },
    Advance {
        session: u32,
        #[serde(default)]
        millis: Option<f64>,
        #[serde(default)]
        steps: Option<f64>,
    },
    Draw {
        session: u32,
        #[serde(default = "main_figure")]
        figure: String,
        view: View,
    },
    Readout {
        session: u32,
        #[serde(default = "main_figure")]
        figure: String,
        x: f64,
        y: f64,
    },
    Export {
        session: u32,
        format: ExportFormat,
        #[serde(default)]
        log_time: bool,
        #[serde(default)]
        policy: Option<String>,
    },
    Extra {
        session: u32,
        extra: Extra,
    },
    Close {
        session: u32,
    },
    /// The worker's memory (soak checks: nothing may grow run after run).
    Memory,
    /// The linear run's phases timed in the worker (bench/browser.mjs); replies `Value`.
    BenchPhases {
        source: String,
    },
}

fn main_figure() -> String {
    "main".into()
}

/// What a download holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// The result in the CLI's schema (App. G: the table without curves).
    Json,
    /// App. G: the table with the recorded curves.
    JsonCurves,
    Csv,
    Svg,
    /// Cell 6's own figure.
    HiddenSvg,
    /// Cell 9's figure (hidden eigenvalues, probes, RankMe).
    ProbesSvg,
    /// Fig 4's eigenvalue histogram over time (cell 8's second view).
    HistogramSvg,
    /// A zip with a NumPy script that reruns the configuration (cell 1).
    Python,
}

/// A cell's own calls beyond run, draw, readout and export.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Extra {
    /// Cell 2: what W has learned next to the theory.
    Directions,
    /// Replay: the times of the records, the state at `t`, the directions at `t`.
    RecordTimes,
    ReplayState {
        t: f64,
    },
    ReplayDirections {
        t: f64,
    },
    SnapshotCount,
    /// When each mode first reached `threshold`.
    CrossingTimes {
        threshold: f64,
    },
    /// The figure's summary numbers (MLP, init, symmetry cells).
    Summary,
    /// The layout of the figure last drawn (`figure`).
    Layout {
        #[serde(default = "main_figure")]
        figure: String,
    },
    /// Destroys the GPU device under a WebGPU run, as a lost device would be (tests).
    SimulateGpuLoss,
}

/// Worker → page.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Ready {
        version: u32,
    },
    Presets {
        linear: Value,
        init: Value,
        mlp: Value,
        appg: Value,
        /// Cells 8 and 9.
        deep: Value,
        /// Cell 10.
        methods: Value,
    },
    Parsed {
        config: Value,
        notices: Vec<String>,
    },
    Checked {
        problem: Option<String>,
        query: Option<String>,
        cost: Option<Value>,
    },
    Palette {
        colours: Vec<String>,
    },
    Number {
        value: f64,
    },
    LocalPhotos {
        count: u32,
        notices: Vec<String>,
        problems: Vec<String>,
    },
    Created {
        info: Value,
        progress: Value,
    },
    Progress {
        progress: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        info: Option<Value>,
    },
    /// A figure; its `bitmap` (an `ImageBitmap`) is attached by the host beside the
    /// serialized fields.
    Drawn {
        css_height: f64,
        layout: FigureLayout,
    },
    Text {
        text: String,
    },
    /// `bytes` is attached by the host as a `Uint8Array`.
    Bytes,
    Value {
        value: Value,
    },
    Done,
    Memory {
        /// The wasm module's linear memory (it grows, never shrinks: a high-water mark).
        wasm_bytes: f64,
        /// Sessions open in this worker.
        sessions: u32,
    },
    Error {
        kind: ErrorKind,
        message: String,
    },
}
