#pragma once
// Help ▸ Keyboard shortcuts: every action that has a key, with what it does, plus the mouse
// gestures of the viewer. Built from the window's actions, so it is always current.
#include <QDialog>
#include <QList>

class QAction;
class QTableWidget;

namespace regionlab::ui {

class ShortcutsDialog : public QDialog {
  Q_OBJECT

public:
  ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }

private:
  QTableWidget* table_;
};

}  // namespace regionlab::ui
