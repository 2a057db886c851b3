// Checks Kubernetes objects against the schemas bundled in npm's kubernetes-models (installed with them by
// scripts/k8s-schemas.sh). Argument: a JSON file holding an array of objects. Prints one line per object,
// "ok KIND/NAME" or "invalid KIND/NAME: reason"; exit code 1 when any object is invalid or of an unknown kind.
// The schemas catch wrong types, bad enum values and missing required fields; like kubectl's client side
// they do not reject unknown extra fields.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failed = false;
for (const object of objects) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const module =
    group === "monitoring.coreos.com"
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
      : `kubernetes-models/${group ? group + "/" : ""}${version}/${object.kind}`;
  let model;
  try {
    model = (await import(module))[object.kind];
  } catch (e) {
    console.log(`invalid ${id}: no schema for ${object.apiVersion} ${object.kind}`);
    failed = true;
    continue;
  }
  try {
    new model(object).validate();
    console.log(`ok ${id}`);
  } catch (e) {
    console.log(`invalid ${id}: ${e.message.replaceAll("\n", " ")}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
