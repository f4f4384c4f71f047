/* export.h - the symbol-export macro of libplaudit.
 * The library is built with hidden visibility; only declarations marked
 * PLAUDIT_EXPORT are visible.  Define PLAUDIT_STATIC when linking the static
 * library on Windows. */
#ifndef PLAUDIT_EXPORT_H
#define PLAUDIT_EXPORT_H

#if defined(_WIN32) && !defined(PLAUDIT_STATIC)
#  ifdef PLAUDIT_BUILDING
#    define PLAUDIT_EXPORT __declspec(dllexport)
#  else
#    define PLAUDIT_EXPORT __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define PLAUDIT_EXPORT __attribute__((visibility("default")))
#else
#  define PLAUDIT_EXPORT
#endif

#endif
