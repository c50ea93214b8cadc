/**
 * Objects kept for the life of the process, so that the hidden classes of short-lived ones stay.
 *
 * V8 gives an object a hidden class for each field its constructor adds, one after the other,
 * and holds those classes only while some object has them. A class whose instances live for one
 * call (a parser, a checker) loses them at every full garbage collection, and with them the
 * optimised code that read their fields: the next calls run unoptimised until it is compiled
 * again. Checking many small documents, as a workspace or a folder of fixtures has them, then took
 * three times as long after each collection. One idle instance of each such class keeps its
 * hidden classes, for the memory of that instance.
 */
const kept: object[] = [];

/** Keeps `instances` (small ones, made for this) alive. */
export function keepShapes(...instances: object[]): void {
  kept.push(...instances);
}
