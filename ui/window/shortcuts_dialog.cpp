#include "ui/window/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace regionlab::ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent) : QDialog(parent), table_(new QTableWidget(this)) {
  setWindowTitle(tr("Keyboard shortcuts"));
  setObjectName(QStringLiteral("shortcutsDialog"));
  QList<QPair<QString, QString>> rows;
  for (const QAction* a : actions) {
    if (a->shortcut().isEmpty()) continue;
    QString text = a->text();
    text.remove(QLatin1Char('&'));
    rows.append({a->shortcut().toString(QKeySequence::NativeText), text});
  }
  // The viewer's mouse gestures, which are not actions.
  rows.append({tr("Click"), tr("Find images with a similar object (the region under the cursor)")});
  rows.append({tr("Ctrl+click"), tr("Select or deselect a region (for labeling and merging)")});
  rows.append({tr("Wheel"), tr("Zoom at the cursor")});
  rows.append({tr("Middle drag / Space+drag"), tr("Pan")});
  rows.append({tr("Drag (region painting)"), tr("Left button adds the regions crossed, right button removes them")});
  rows.append({tr("Double-click a thumbnail"), tr("Open the image")});
  rows.append({tr("Click (SAM prompt mode)"), tr("Positive point: SAM segments the object under it")});
  rows.append({tr("Shift+click (SAM prompt mode)"), tr("Negative point: exclude this part from the mask")});
  rows.append({tr("Drag (SAM prompt mode)"), tr("Box around the object")});
  rows.append({tr("Enter (SAM prompt mode)"), tr("Use the mask: search with it, and label it with the current class")});
  rows.append({tr("Esc (SAM prompt mode)"), tr("Clear the points and the mask")});
  rows.append({tr("Ctrl+Enter (SAM prompt mode)"), tr("Search with the mask without labeling it")});
  rows.append({tr("Drag (mask brush)"), tr("Left button adds to the mask, right button erases")});

  table_->setColumnCount(2);
  table_->setRowCount(int(rows.size()));
  table_->setHorizontalHeaderLabels({tr("Key"), tr("Action")});
  for (int row = 0; row < rows.size(); ++row) {
    table_->setItem(row, 0, new QTableWidgetItem(rows[row].first));
    table_->setItem(row, 1, new QTableWidgetItem(rows[row].second));
  }
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->resizeColumnToContents(0);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
  layout->addWidget(buttons);
  resize(560, 640);
}

}  // namespace regionlab::ui
