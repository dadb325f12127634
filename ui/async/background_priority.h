#pragma once
// Background work (ingest, thumbnails) runs at a lower CPU priority than the GUI thread, so the
// window stays fluid on a machine whose cores are all busy ingesting.
namespace regionlab::ui {

// Lowers the calling thread's priority (Linux: nice +10 for this thread only; threads it starts
// inherit it). Harmless to call more than once; a no-op where unsupported.
void lowerCurrentThreadPriority();

}  // namespace regionlab::ui
