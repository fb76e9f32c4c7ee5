//! `imgslim explore IMAGE`: dive's interactive view. The layer list beside the file tree of the
//! selected layer (what it added, modified and removed) or of the whole image, sizes summed per
//! directory, change filters, leftovers highlighted. Everything comes from the analysis report
//! (its trees are the merge's: no second implementation here); this file is state and drawing.

use imgslim::analyze::tree::{FileTree, NO_CATEGORY};
use imgslim::analyze::Report;
use imgslim::layer::merge::Change;
use imgslim::layer::tar::Kind;
use imgslim::units::human_bytes;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Layers,
    Files,
}

/// Which changes the tree shows (dive's filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filters {
    pub added: bool,
    pub modified: bool,
    pub removed: bool,
    pub unchanged: bool,
}

impl Filters {
    fn shows(&self, c: Option<Change>) -> bool {
        match c {
            Some(Change::Added) => self.added,
            Some(Change::Modified) => self.modified,
            Some(Change::Removed) => self.removed,
            None => self.unchanged,
        }
    }
}

pub struct State<'r> {
    report: &'r Report,
    /// 0: the whole image; k: layer k - 1.
    pub view: usize,
    pub pane: Pane,
    pub filters: Filters,
    /// Expanded directories of the tree shown.
    expanded: HashSet<u32>,
    /// The row selected in the file list.
    pub row: usize,
    /// Per node of the tree shown: does it (or something below it) pass the filters.
    shown: Vec<bool>,
    pub help: bool,
    pub quit: bool,
}

/// One line of the file list.
pub struct Row {
    pub node: u32,
    pub depth: usize,
}

impl<'r> State<'r> {
    pub fn new(report: &'r Report) -> State<'r> {
        let mut s = State {
            report,
            view: 0,
            pane: Pane::Layers,
            filters: Filters { added: true, modified: true, removed: true, unchanged: true },
            expanded: HashSet::new(),
            row: 0,
            shown: Vec::new(),
            help: false,
            quit: false,
        };
        s.reset_tree();
        s
    }

    pub fn tree(&self) -> Option<&'r FileTree> {
        match self.view {
            0 => self.report.tree.as_ref(),
            k => self.report.layer_trees.get(k - 1).and_then(Option::as_ref),
        }
    }

    fn reset_tree(&mut self) {
        self.expanded.clear();
        self.expanded.insert(0);
        self.row = 0;
        self.refilter();
    }

    /// Which nodes pass the filters: a file by its change, a directory when something below it
    /// does (one pass from the leaves up: children come after their parents).
    fn refilter(&mut self) {
        let Some(tree) = self.tree() else {
            self.shown.clear();
            return;
        };
        // files by their change; an empty directory by its own
        let mut shown: Vec<bool> = tree
            .nodes
            .iter()
            .map(|n| (n.kind != Kind::Dir || n.children.is_empty()) && self.filters.shows(n.change))
            .collect();
        for id in (1..tree.nodes.len()).rev() {
            if shown[id] {
                shown[tree.nodes[id].parent as usize] = true;
            }
        }
        self.shown = shown;
    }

    /// The rows of the file list: expanded directories' children, largest first.
    pub fn rows(&self) -> Vec<Row> {
        let Some(tree) = self.tree() else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack: Vec<(u32, usize)> = tree.root().children.iter().rev().map(|&c| (c, 0)).collect();
        while let Some((id, depth)) = stack.pop() {
            if !self.shown.get(id as usize).copied().unwrap_or(false) {
                continue;
            }
            out.push(Row { node: id, depth });
            if self.expanded.contains(&id) {
                stack.extend(tree.nodes[id as usize].children.iter().rev().map(|&c| (c, depth + 1)));
            }
        }
        out
    }

    pub fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        if self.help {
            self.help = false;
            return;
        }
        let rows = self.rows();
        match code {
            KeyCode::Char('q') | KeyCode::Esc => self.quit = true,
            KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Tab => {
                self.pane = if self.pane == Pane::Layers { Pane::Files } else { Pane::Layers };
            }
            KeyCode::Char('a') => {
                self.filters.added = !self.filters.added;
                self.refilter();
            }
            KeyCode::Char('m') => {
                self.filters.modified = !self.filters.modified;
                self.refilter();
            }
            KeyCode::Char('r') => {
                self.filters.removed = !self.filters.removed;
                self.refilter();
            }
            KeyCode::Char('u') => {
                self.filters.unchanged = !self.filters.unchanged;
                self.refilter();
            }
            KeyCode::Up | KeyCode::Char('k') => match self.pane {
                Pane::Layers if self.view > 0 => {
                    self.view -= 1;
                    self.reset_tree();
                }
                Pane::Files => self.row = self.row.saturating_sub(1),
                _ => {}
            },
            KeyCode::Down | KeyCode::Char('j') => match self.pane {
                Pane::Layers if self.view < self.report.layers.len() => {
                    self.view += 1;
                    self.reset_tree();
                }
                Pane::Files if self.row + 1 < rows.len() => self.row += 1,
                _ => {}
            },
            KeyCode::PageDown => self.row = (self.row + 20).min(rows.len().saturating_sub(1)),
            KeyCode::PageUp => self.row = self.row.saturating_sub(20),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('l') if self.pane == Pane::Files => {
                if let Some(r) = rows.get(self.row) {
                    if !self.expanded.remove(&r.node) {
                        self.expanded.insert(r.node);
                    }
                }
            }
            KeyCode::Left | KeyCode::Char('h') if self.pane == Pane::Files => {
                if let (Some(r), Some(tree)) = (rows.get(self.row), self.tree()) {
                    if !self.expanded.remove(&r.node) {
                        // collapse the parent and select it
                        let parent = tree.nodes[r.node as usize].parent;
                        if parent != 0 {
                            self.expanded.remove(&parent);
                            self.row = self.rows().iter().position(|x| x.node == parent).unwrap_or(0);
                        }
                    }
                }
            }
            KeyCode::Right | KeyCode::Enter if self.pane == Pane::Layers => self.pane = Pane::Files,
            _ => {}
        }
        let n = self.rows().len();
        if self.row >= n {
            self.row = n.saturating_sub(1);
        }
    }
}

fn marker(c: Option<Change>) -> Span<'static> {
    match c {
        Some(Change::Added) => Span::styled("+ ", Style::default().fg(Color::Green)),
        Some(Change::Modified) => Span::styled("~ ", Style::default().fg(Color::Yellow)),
        Some(Change::Removed) => Span::styled("- ", Style::default().fg(Color::Red)),
        None => Span::raw("  "),
    }
}

fn shorten(s: &str, max: usize) -> String {
    imgslim::report::middle(&imgslim::report::one_line(s), max)
}

pub fn draw(f: &mut Frame, s: &State) {
    let area = f.area();
    let outer = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)])
        .split(area);
    let r = s.report;
    let title = format!(
        " {} · {} · size {} · wasted {} · leftovers {} · efficiency {:.1}%",
        r.image.name.as_deref().unwrap_or("(unnamed)"),
        r.image.platform,
        human_bytes(r.size_bytes),
        human_bytes(r.wasted_bytes),
        human_bytes(r.leftover_bytes),
        100.0 * r.efficiency
    );
    f.render_widget(
        Paragraph::new(shorten(&title, area.width as usize)).style(Style::default().add_modifier(Modifier::BOLD)),
        outer[0],
    );
    let panes = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(38), Constraint::Percentage(62)])
        .split(outer[1]);
    draw_layers(f, s, panes[0]);
    draw_files(f, s, panes[1]);
    let flag = |on: bool, name: &str| if on { format!("[x] {name}") } else { format!("[ ] {name}") };
    let status = format!(
        " Tab pane · ↑↓ move · Enter/→ open · ← close · {} {} {} {} · ? help · q quit",
        flag(s.filters.added, "a:added"),
        flag(s.filters.modified, "m:modified"),
        flag(s.filters.removed, "r:removed"),
        flag(s.filters.unchanged, "u:unchanged")
    );
    f.render_widget(
        Paragraph::new(shorten(&status, area.width as usize)).style(Style::default().fg(Color::Cyan)),
        outer[2],
    );
    if s.help {
        draw_help(f, area);
    }
}

fn pane_block(title: String, active: bool) -> Block<'static> {
    let style = if active { Style::default().fg(Color::Cyan) } else { Style::default() };
    Block::default().borders(Borders::ALL).title(title).border_style(style)
}

fn draw_layers(f: &mut Frame, s: &State, area: Rect) {
    let r = s.report;
    let width = area.width.saturating_sub(4) as usize;
    let mut items = vec![ListItem::new(format!("{:>9}  all layers (the final image)", human_bytes(r.final_bytes)))];
    for l in &r.layers {
        let made = match (&l.line, &l.instruction, &l.created_by) {
            (Some(line), Some(ins), _) => format!("line {line}: {ins}"),
            (_, _, Some(c)) => {
                let c = c.trim();
                let c = c.strip_prefix("/bin/sh -c #(nop) ").or_else(|| c.strip_prefix("/bin/sh -c ")).unwrap_or(c);
                c.trim().to_string()
            }
            _ => String::new(),
        };
        let made = imgslim::report::ellipsis(&imgslim::report::one_line(&made), width.saturating_sub(14).max(8));
        items.push(ListItem::new(format!("{:>9}  {:>2} {made}", human_bytes(l.size_bytes), l.index)));
    }
    let mut state = ListState::default().with_selected(Some(s.view));
    let list = List::new(items)
        .block(pane_block(" Layers ".into(), s.pane == Pane::Layers))
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    f.render_stateful_widget(list, area, &mut state);
}

fn draw_files(f: &mut Frame, s: &State, area: Rect) {
    let r = s.report;
    let title = match s.view {
        0 => " Files: the final image ".to_string(),
        k => {
            let c = &r.layers[k - 1].changes;
            format!(" Files: layer {} · +{} ~{} -{} ", k - 1, c.added_files, c.modified_files, c.removed_files)
        }
    };
    let block = pane_block(title, s.pane == Pane::Files);
    let Some(tree) = s.tree() else {
        f.render_widget(Paragraph::new("no tree for this view").block(block), area);
        return;
    };
    let names = &imgslim::analyze::catalog::Catalog::builtin().names;
    let width = area.width.saturating_sub(4) as usize;
    let rows = s.rows();
    let items: Vec<ListItem> = rows
        .iter()
        .map(|row| {
            let n = &tree.nodes[row.node as usize];
            let open = match (n.kind, n.children.is_empty(), s.expanded.contains(&row.node)) {
                (Kind::Dir, false, true) => "▾ ",
                (Kind::Dir, false, false) => "▸ ",
                _ => "  ",
            };
            let mut name = format!("{}{open}{}", "  ".repeat(row.depth), tree.name(row.node));
            if n.kind == Kind::Dir {
                name.push('/');
            }
            if let Some(l) = &n.link {
                name.push_str(&format!(" -> {l}"));
            }
            let category = names.get(n.category as usize).filter(|_| n.category != NO_CATEGORY);
            if let Some(c) = category {
                name.push_str(&format!(" [{c}]"));
            }
            let name = shorten(&name, width.saturating_sub(13));
            let style = if category.is_some() { Style::default().fg(Color::Yellow) } else { Style::default() };
            ListItem::new(Line::from(vec![
                marker(n.change),
                Span::raw(format!("{:>9}  ", human_bytes(n.bytes))),
                Span::styled(name, style),
            ]))
        })
        .collect();
    let mut state = ListState::default().with_selected((!rows.is_empty()).then_some(s.row));
    let list = List::new(items).block(block).highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    f.render_stateful_widget(list, area, &mut state);
}

fn draw_help(f: &mut Frame, area: Rect) {
    let text = "imgslim explore\n\n\
        Tab          switch between the layer list and the file tree\n\
        ↑ ↓ / j k    move (in the layer list: choose the layer whose changes to show)\n\
        Enter → l    open or close a directory\n\
        ← h          close a directory (or its parent)\n\
        PgUp PgDn    move a page\n\
        a m r u      show or hide added, modified, removed, unchanged files\n\
        ?            this help (any key closes it)\n\
        q Esc        quit\n\n\
        +  added by the layer   ~  modified   -  removed\n\
        yellow: a build-time leftover (compilers, headers, caches, docs ...)";
    let w = 78.min(area.width);
    let h = 16.min(area.height);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(Block::default().borders(Borders::ALL).title(" Help ")),
        rect,
    );
}

/// Run the explorer until the user quits.
pub fn run(report: &Report) -> anyhow::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let mut state = State::new(report);
    let result = (|| -> anyhow::Result<()> {
        while !state.quit {
            terminal.draw(|f| draw(f, &state))?;
            if let Event::Key(k) = event::read()? {
                if k.kind == KeyEventKind::Press {
                    state.key(k.code, k.modifiers);
                }
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}
